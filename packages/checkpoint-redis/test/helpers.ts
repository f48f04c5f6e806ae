import { inspect } from 'node:util';
import { KinesisClientLibConfig, type LogFields, type Logger } from '@kcl/core';
import { randomName, startRedis, type RedisServerHandle } from '@kcl/testbed';
import { createClient } from 'redis';

/** A config for `tableName` / `workerId` with a short failover time. */
export function testConfig(tableName: string, workerId = 'worker-1', options: { failoverTimeMillis?: number; logger?: Logger } = {}) {
  const config = new KinesisClientLibConfig(tableName, 'stream', 'us-east-1', workerId)
    .withFailoverTimeMillis(options.failoverTimeMillis ?? 1_000)
    .withLogger(options.logger ?? captureLogger().logger);
  return config;
}

/** A unique table name per test. */
export function tableName(label = 'redis'): string {
  return randomName(label);
}

/** A Logger that records every line (message plus fields, also of child loggers) as text. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const make = (bound: LogFields): Logger => {
    const log = (level: string) => (message: string, fields?: LogFields) => {
      lines.push(`${level} ${message} ${inspect({ ...bound, ...fields }, { depth: 6 })}`);
    };
    return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: (f) => make({ ...bound, ...f }) };
  };
  return { logger: make({}), lines };
}

/** Everything an error shows: message, stack and its full inspection (cause chain included). */
export function errorText(error: unknown): string {
  return `${String(error)}\n${(error as Error)?.stack ?? ''}\n${inspect(error, { depth: 8 })}`;
}

/** Awaits `promise` and returns what it rejected with; fails if it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

export type RawRedisClient = ReturnType<typeof createClient>;

/**
 * One redis-server for the calling test file (started in beforeAll, stopped in afterAll) and a plain client on it for
 * looking at or writing keys directly; read `server` and `raw` from beforeAll on.
 */
export function useRedisServer(): { readonly server: RedisServerHandle; readonly raw: RawRedisClient } {
  let server: RedisServerHandle | undefined;
  let raw: RawRedisClient | undefined;
  beforeAll(async () => {
    server = await startRedis();
    raw = createClient({ url: server.url });
    await raw.connect();
  });
  afterAll(async () => {
    await raw?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('redis-server is not started yet (read it inside a hook or test)');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get raw() {
      return started(raw);
    },
  };
}

import { LOCAL_CREDENTIALS, LOCAL_REGION } from './clients';
import { startDynalite } from './dynalite';
import { TestbedError } from './errors';
import { startKinesalite } from './kinesalite';
import { startKinesisLocal, type KinesisLocalServer } from './kinesis-local';
import { startRedis } from './redis';
import type { LocalServer, RedisServerHandle } from './types';

/** The stand-ins startAll() knows. */
export const SERVER_NAMES = ['kinesalite', 'kinesis-local', 'dynalite', 'redis'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

export interface StartAllOptions {
  /**
   * Which stand-ins to start.
   * @defaultValue all of SERVER_NAMES
   */
  servers?: readonly ServerName[];
  /**
   * Fixed ports (127.0.0.1); a missing or 0 entry picks a free port.
   * @defaultValue {} (free ports)
   */
  ports?: Partial<Record<ServerName, number>>;
}

export interface LocalServers {
  kinesalite?: LocalServer;
  kinesisLocal?: KinesisLocalServer;
  dynalite?: LocalServer;
  redis?: RedisServerHandle;
  /**
   * Environment lines for examples: KCL_KINESIS_ENDPOINT (kinesalite), KCL_KINESIS_LOCAL_ENDPOINT,
   * KCL_DYNAMODB_ENDPOINT, KCL_REDIS_URL, plus AWS_REGION and dummy AWS credentials.
   */
  env: Record<string, string>;
  /** Milliseconds each server took to start. */
  startupMs: Partial<Record<ServerName, number>>;
  /** Stops every server; safe to call twice. */
  stop(): Promise<void>;
}

async function timed<T>(start: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const began = performance.now();
  const value = await start();
  return { value, ms: Math.round(performance.now() - began) };
}

/**
 * Starts the chosen stand-ins in parallel. If one fails, the others are stopped and a TestbedError names every
 * server that failed and why.
 */
export async function startAll(options: StartAllOptions = {}): Promise<LocalServers> {
  const wanted = new Set<ServerName>(options.servers ?? SERVER_NAMES);
  for (const name of wanted) {
    if (!SERVER_NAMES.includes(name)) throw new TestbedError('testbed', `unknown server ${JSON.stringify(name)}; known: ${SERVER_NAMES.join(', ')}`);
  }
  const port = (name: ServerName): number => options.ports?.[name] ?? 0;
  const starters: { name: ServerName; start: () => Promise<LocalServer> }[] = [
    { name: 'kinesalite', start: () => startKinesalite({ port: port('kinesalite') }) },
    { name: 'kinesis-local', start: () => startKinesisLocal({ port: port('kinesis-local') }) },
    { name: 'dynalite', start: () => startDynalite({ port: port('dynalite') }) },
    { name: 'redis', start: () => startRedis({ port: port('redis') }) },
  ];
  const chosen = starters.filter((starter) => wanted.has(starter.name));
  const results = await Promise.allSettled(chosen.map((starter) => timed(starter.start)));
  const started = new Map<ServerName, LocalServer>();
  const startupMs: Partial<Record<ServerName, number>> = {};
  const failures: string[] = [];
  results.forEach((result, index) => {
    const name = (chosen[index] as (typeof chosen)[number]).name;
    if (result.status === 'fulfilled') {
      started.set(name, result.value.value);
      startupMs[name] = result.value.ms;
    } else {
      failures.push(`${name}: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`);
    }
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= Promise.allSettled([...started.values()].map((server) => server.stop())).then(() => undefined));
  if (failures.length > 0) {
    await stop();
    throw new TestbedError('testbed', `could not start ${failures.length} server(s):\n${failures.join('\n')}`);
  }
  const servers: LocalServers = { env: {}, startupMs, stop };
  const kinesalite = started.get('kinesalite');
  const kinesisLocal = started.get('kinesis-local') as KinesisLocalServer | undefined;
  const dynalite = started.get('dynalite');
  const redis = started.get('redis') as RedisServerHandle | undefined;
  if (kinesalite) {
    servers.kinesalite = kinesalite;
    servers.env.KCL_KINESIS_ENDPOINT = kinesalite.endpoint;
  }
  if (kinesisLocal) {
    servers.kinesisLocal = kinesisLocal;
    servers.env.KCL_KINESIS_LOCAL_ENDPOINT = kinesisLocal.endpoint;
  }
  if (dynalite) {
    servers.dynalite = dynalite;
    servers.env.KCL_DYNAMODB_ENDPOINT = dynalite.endpoint;
  }
  if (redis) {
    servers.redis = redis;
    servers.env.KCL_REDIS_URL = redis.url;
  }
  servers.env.AWS_REGION = LOCAL_REGION;
  servers.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  servers.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  return servers;
}

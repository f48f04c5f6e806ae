/**
 * A Redis server for local use: one already answering on the port is used as it is; otherwise `redis-server` from the
 * PATH is started on 127.0.0.1 without persistence; without either, START_FAILED says that Redis is absent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { LocalError, checkRange } from './errors';
import { LOOPBACK, getFreePort, type LocalServer } from './listen';

export interface LocalRedisOptions {
  /**
   * Port on 127.0.0.1. A Redis server already answering there is used (and left running on stop); 0 always starts a
   * new redis-server on a free port.
   * @defaultValue 6379
   */
  port?: number;
  /**
   * How long a started redis-server may take to answer PING, in ms.
   * @defaultValue 10000
   */
  startTimeoutMs?: number;
}

/** A Redis server on 127.0.0.1: `endpoint` and `url` are `redis://127.0.0.1:<port>`. */
export interface LocalRedis extends LocalServer {
  url: string;
  /** `existing`: a server that was already running (stop() leaves it alone); `started`: ours, stopped by stop(). */
  origin: 'existing' | 'started';
}

/** The path of `redis-server` on the PATH, or undefined. */
export function findRedisServer(pathVariable = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathVariable.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The first reply line of an inline PING to 127.0.0.1:port (`+PONG`, `-NOAUTH ...`), or undefined if nothing answers. */
export function pingRedis(port: number, timeoutMs = 1_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    let reply = '';
    const finish = (line: string | undefined): void => {
      socket.destroy();
      resolve(line);
    };
    socket.setTimeout(timeoutMs, () => finish(undefined));
    socket.once('error', () => finish(undefined));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      const end = reply.indexOf('\r\n');
      if (end >= 0) finish(reply.slice(0, end));
    });
    socket.once('end', () => finish(reply === '' ? undefined : reply));
  });
}

function redisHandle(port: number, origin: LocalRedis['origin'], stop: () => Promise<void>): LocalRedis {
  const url = `redis://${LOOPBACK}:${port}`;
  return { host: LOOPBACK, port, endpoint: url, url, origin, stop };
}

/** Stops a child with SIGTERM (SIGKILL after 5 s) and resolves once it exited. */
function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts redis-server on `port` and waits for PONG; rejects with the server's own words if it exits first. */
async function spawnRedis(binary: string, port: number, timeoutMs: number): Promise<LocalRedis> {
  const args = ['--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if ((await pingRedis(port, 250)) === '+PONG') {
      let stopping: Promise<void> | undefined;
      const stop = (): Promise<void> =>
        (stopping ??= terminate(child).then(() => {
          process.off('exit', killOnExit);
        }));
      return redisHandle(port, 'started', stop);
    }
    if (Date.now() > deadline) break;
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 25))]);
  }
  await terminate(child);
  process.off('exit', killOnExit);
  const code = /address already in use/i.test(output) ? 'PORT_IN_USE' : 'START_FAILED';
  throw new LocalError(code, 'redis', `redis-server on ${LOOPBACK}:${port} did not answer PING: ${output.trim().split('\n').slice(-3).join(' | ')}`);
}

/**
 * Gives a Redis server on 127.0.0.1: the one already answering PING on `port` (default 6379), else a new
 * `redis-server` (no persistence) started from the PATH.
 * @throws LocalError START_FAILED when no server answers and redis-server is not on the PATH (install it, e.g.
 * `apt-get install redis-server`, or start one yourself); PORT_IN_USE when something else holds the port
 */
export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  checkRange('redis', 'port', options.port, 0, 65535);
  checkRange('redis', 'startTimeoutMs', options.startTimeoutMs, 1, 600_000);
  const port = options.port ?? 6379;
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  if (port !== 0) {
    const answer = await pingRedis(port);
    if (answer === '+PONG' || answer?.startsWith('-NOAUTH') === true) return redisHandle(port, 'existing', () => Promise.resolve());
    if (answer !== undefined) throw new LocalError('PORT_IN_USE', 'redis', `${LOOPBACK}:${port} is taken by something that is not Redis`);
  }
  const binary = findRedisServer();
  if (binary === undefined) {
    const where = port === 0 ? '' : ` on ${LOOPBACK}:${port}`;
    throw new LocalError(
      'START_FAILED',
      'redis',
      `no Redis answers${where} and redis-server is not on the PATH (install it, e.g. apt-get install redis-server)`,
      {
        missingProgram: 'redis-server',
      },
    );
  }
  if (port !== 0) return spawnRedis(binary, port, timeoutMs);
  // A free port may be taken between choosing and binding it: try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnRedis(binary, await getFreePort(), timeoutMs);
    } catch (error) {
      if (!(error instanceof LocalError && error.code === 'PORT_IN_USE') || attempt >= 3) throw error;
    }
  }
}

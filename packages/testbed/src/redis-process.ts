import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedChild, waitUntilReady } from './child-process';
import { TestbedError } from './errors';
import { LOOPBACK, getFreePort } from './free-port';
import { redisCommand, type RedisCommandTarget } from './redis-command';

const INSTALL_HINT = 'redis-server was not found in /usr/bin or on PATH: install it (apt-get install redis-server)';
const MAX_ATTEMPTS = 3;

/** Path of the redis-server binary: $REDIS_SERVER_BIN, /usr/bin/redis-server, or the one on PATH. */
export function redisServerBinary(): string {
  const candidates = [process.env.REDIS_SERVER_BIN, '/usr/bin/redis-server', '/usr/local/bin/redis-server'];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  try {
    const found = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
    if (found !== '') return found;
  } catch {
    // not on PATH either
  }
  throw new TestbedError('redis-server', INSTALL_HINT);
}

/** A redis-server child that answered PING. */
export interface RedisProcess {
  port: number;
  child: ManagedChild;
  /** The server's own temp dir (its working dir; cluster config lives here). */
  dir: string;
  /** Kills the server and removes its temp dir; safe to call twice. */
  stop(): Promise<void>;
}

export interface LaunchRedisOptions {
  /** Port on 127.0.0.1 for clients (the TLS port in TLS mode); 0 or undefined picks a free one. */
  port?: number | undefined;
  password?: string | undefined;
  /** TLS files: the server listens on TLS only (`--port 0 --tls-port P`). */
  tls?: { certPath: string; keyPath: string; caCertPath: string; caPem: string } | undefined;
  /** Extra arguments, given the chosen port and the server's temp dir. */
  extraArgs?: (port: number, dir: string) => Promise<string[]> | string[];
  /**
   * Data directory to use and keep (a restart from it finds the data again); the port must be fixed with it.
   * @defaultValue a temp dir of its own, removed on stop
   */
  dir?: string | undefined;
  /**
   * Persist every write (`--appendonly yes --appendfsync always`), so the data survives a SIGKILL.
   * @defaultValue false
   */
  appendOnly?: boolean | undefined;
  /** @defaultValue 'redis-server' */
  name?: string;
  /** @defaultValue 20000 */
  startTimeoutMs?: number;
}

/**
 * Starts redis-server on 127.0.0.1 without persistence, in its own temp dir, and waits until it answers (INFO with its own process id).
 * A port taken between choosing and binding it is retried with another free port (unless the port was fixed).
 */
export async function launchRedis(options: LaunchRedisOptions): Promise<RedisProcess> {
  const binary = redisServerBinary();
  const name = options.name ?? 'redis-server';
  const fixed = options.port !== undefined && options.port !== 0;
  let lastError: unknown;
  for (let attempt = 1; attempt <= (fixed ? 1 : MAX_ATTEMPTS); attempt++) {
    const port = fixed ? (options.port as number) : await getFreePort({ max: 65535 });
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'kcl-redis-'));
    const args = [
      '--port',
      options.tls ? '0' : String(port),
      '--bind',
      LOOPBACK,
      '--save',
      '',
      ...(options.appendOnly === true ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
      '--daemonize',
      'no',
      '--dir',
      dir,
      '--logfile',
      '',
      '--protected-mode',
      'no',
    ];
    if (options.password !== undefined) args.push('--requirepass', options.password);
    if (options.tls) {
      args.push(
        '--tls-port',
        String(port),
        '--tls-cert-file',
        options.tls.certPath,
        '--tls-key-file',
        options.tls.keyPath,
        '--tls-ca-cert-file',
        options.tls.caCertPath,
        '--tls-auth-clients',
        'no',
      );
    }
    if (options.extraArgs) args.push(...(await options.extraArgs(port, dir)));
    const child = new ManagedChild(name, binary, args, { cwd: dir });
    const stop = async (): Promise<void> => {
      await child.stop();
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    };
    const target: RedisCommandTarget = { host: LOOPBACK, port, password: options.password, tlsCa: options.tls?.caPem };
    try {
      // INFO (not just PING) so a foreign server that grabbed the port is never mistaken for ours; then PING, which
      // answers -LOADING (an error) until a restarted server has loaded its append-only file.
      const ours = async (): Promise<boolean> =>
        (await redisCommand(target, ['INFO', 'server']))?.includes(`process_id:${String(child.pid)}\r\n`) === true &&
        (await redisCommand(target, ['PING'])) === 'PONG';
      await waitUntilReady(child, ours, {
        timeoutMs: options.startTimeoutMs ?? 20_000,
        intervalMs: 10,
        what: `${name} on ${LOOPBACK}:${port}`,
      });
      let stopping: Promise<void> | undefined;
      return { port, child, dir, stop: () => (stopping ??= stop()) };
    } catch (error) {
      await stop();
      lastError = error;
      if (!/address already in use/i.test(child.output())) break;
    }
  }
  const message = lastError instanceof Error ? lastError.message : String(lastError);
  throw new TestbedError(name, message, { cause: lastError });
}

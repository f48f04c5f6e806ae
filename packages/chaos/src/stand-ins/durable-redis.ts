/**
 * A redis-server whose data survives a crash: append-only file with `appendfsync always`, in a directory of its own
 * that outlives the process. `crash()` SIGKILLs it; `start()` brings it back on the SAME port from the same files,
 * which is what a Redis restart looks like to its clients (connections reset, then the same data).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort } from '@kcl/testbed';

const SETPRIV = '/usr/bin/setpriv';

export class DurableRedis {
  readonly dir: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  restarts = 0;

  private constructor(readonly port: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'kcl-chaos-redis-'));
  }

  static async start(): Promise<DurableRedis> {
    const redis = new DurableRedis(await getFreePort());
    await redis.start();
    return redis;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the server (again) on its port, from its data directory, and waits until it answers PING. */
  async start(): Promise<void> {
    if (this.child) return;
    const binary = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p)) ?? 'redis-server';
    const args = [
      '--port', String(this.port), '--bind', '127.0.0.1', '--protected-mode', 'no', '--daemonize', 'no',
      '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--logfile', '',
    ];
    const useSetpriv = process.platform === 'linux' && existsSync(SETPRIV);
    const child = useSetpriv ? spawn(SETPRIV, ['--pdeathsig', 'KILL', binary, ...args], { stdio: 'ignore' }) : spawn(binary, args, { stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => {
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + 15_000;
    while (!(await ping(this.port))) {
      if (!this.child) throw new Error(`redis-server on port ${this.port} exited while starting`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not answer PING within 15 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SIGKILLs the server (no shutdown, no final save: only what the append-only file has). */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  /** Crash, wait `downMs`, start again on the same port. */
  async restart(downMs: number): Promise<void> {
    await this.crash();
    await new Promise((r) => setTimeout(r, downMs));
    await this.start();
    this.restarts++;
  }

  async stop(): Promise<void> {
    await this.crash();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** True if a server on 127.0.0.1:port answers PING with PONG (a loading server answers -LOADING). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      if (data.includes('\r\n')) done(data.startsWith('+PONG'));
    });
  });
}

/**
 * A redis-server whose data survives a crash: append-only file with `appendfsync always`, in a directory of its own
 * that outlives the process. `crash()` SIGKILLs it; `start()` brings it back on the SAME port from the same files,
 * which is what a Redis restart looks like to its clients (connections reset, then the same data).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getFreePort, LOOPBACK } from './free-port';
import { launchRedis, type RedisProcess } from './redis-process';
import type { RedisServerHandle } from './types';

/** A restartable redis-server (see {@link startDurableRedis}). */
export interface DurableRedisHandle extends RedisServerHandle {
  /** Its data directory (kept across crashes, removed by stop()). */
  readonly dir: string;
  /** False between crash() and the next start(). */
  readonly running: boolean;
  /** Completed restart() calls. */
  readonly restarts: number;
  /** Starts the server again on its port from its data directory (no-op while running); resolves once it answers. */
  start(): Promise<void>;
  /** SIGKILLs the server: no shutdown, no final save, only what the append-only file holds. */
  crash(): Promise<void>;
  /** crash(), wait `downMs`, start() on the same port. */
  restart(downMs: number): Promise<void>;
}

/** Starts a durable redis-server on a free 127.0.0.1 port. Needs redis-server installed. */
export async function startDurableRedis(): Promise<DurableRedisHandle> {
  const port = await getFreePort({ max: 65535 });
  const dir = mkdtempSync(join(tmpdir(), 'kcl-durable-redis-'));
  let server: RedisProcess | undefined;
  let restarts = 0;
  let stopping: Promise<void> | undefined;
  const address = `${LOOPBACK}:${port}`;
  const handle: DurableRedisHandle = {
    host: LOOPBACK,
    port,
    address,
    endpoint: `redis://${address}`,
    url: `redis://${address}`,
    dir,
    get running() {
      return server !== undefined && server.child.exitStatus === undefined;
    },
    get restarts() {
      return restarts;
    },
    async start() {
      if (handle.running) return;
      server = await launchRedis({ port, dir, appendOnly: true, name: 'redis-server (durable)' });
    },
    async crash() {
      const child = server?.child;
      server = undefined;
      if (!child) return;
      child.killNow('SIGKILL');
      await child.exited;
    },
    async restart(downMs) {
      await handle.crash();
      await sleep(downMs);
      await handle.start();
      restarts++;
    },
    stop: () =>
      (stopping ??= (async () => {
        await handle.crash();
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
  try {
    await handle.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return handle;
}

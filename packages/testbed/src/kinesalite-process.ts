import { fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { TestbedError } from './errors';
import { LOOPBACK } from './free-port';
import type { KinesaliteOptions } from './kinesalite';
import type { LocalServer } from './types';

/** kinesalite running in a child process. */
export interface KinesaliteProcess extends LocalServer {
  /** The child's process id. */
  pid: number;
}

export interface KinesaliteProcessOptions extends Omit<KinesaliteOptions, 'port'> {
  /**
   * Node options of the child (e.g. `--max-semi-space-size=64` for shorter GC pauses under load).
   * @defaultValue none
   */
  nodeOptions?: string[];
  /**
   * File the child's stderr is appended to.
   * @defaultValue none (ignored)
   */
  stderrFile?: string;
  /**
   * How long to wait for it to listen, in ms.
   * @defaultValue 30000
   */
  startTimeoutMs?: number;
}

// The compiled child script, resolved through dist/ also when this module runs from src/ under ts-jest.
const CHILD_SCRIPT = join(__dirname, '..', 'dist', 'kinesalite-child.js');

/**
 * Starts kinesalite (startKinesalite's options) in a child process of its own, so its work does not share the event
 * loop of the process driving it (a benchmark, a chaos coordinator). The child exits when stopped, when this process
 * exits, and when its IPC channel closes (this process died).
 */
export async function startKinesaliteProcess(options: KinesaliteProcessOptions = {}): Promise<KinesaliteProcess> {
  const { nodeOptions, stderrFile, startTimeoutMs, ...kinesaliteOptions } = options;
  const errFd = stderrFile !== undefined ? openSync(stderrFile, 'a') : undefined;
  const child = fork(CHILD_SCRIPT, [JSON.stringify(kinesaliteOptions)], {
    stdio: ['ignore', 'ignore', errFd ?? 'ignore', 'ipc'],
    execArgv: nodeOptions ?? [],
  });
  if (errFd !== undefined) closeSync(errFd);
  const killNow = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killNow);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.connected) child.disconnect();
      const timer = setTimeout(killNow, 5_000);
      await exited;
      clearTimeout(timer);
      process.off('exit', killNow);
    })());
  const timeoutMs = startTimeoutMs ?? 30_000;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TestbedError('kinesalite', `child process did not listen within ${timeoutMs} ms`)), timeoutMs);
      child.on('message', (message: { type?: unknown; port?: unknown }) => {
        if (message.type !== 'ready' || typeof message.port !== 'number') return;
        clearTimeout(timer);
        resolve(message.port);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new TestbedError('kinesalite', `child process exited (code ${String(code)}, signal ${String(signal)}) before listening`));
      });
    });
    return { host: LOOPBACK, port, endpoint: `http://${LOOPBACK}:${port}`, pid: child.pid as number, stop };
  } catch (error) {
    killNow();
    await stop();
    throw error;
  }
}

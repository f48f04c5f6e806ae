import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** kinesalite running in a child process. */
export interface KinesaliteProcess {
  endpoint: string;
  /** Stops the child; safe to call twice. */
  stop(): Promise<void>;
}

// The compiled child script. Resolved through dist/ also when this module runs from src/ under ts-jest.
const CHILD_SCRIPT = join(__dirname, '..', 'dist', 'kinesalite-child.js');
const START_TIMEOUT_MS = 30_000;
// kinesalite allocates many short-lived objects per record read (sequence numbers are parsed with bignumber.js); a
// larger young generation makes its GC pauses shorter and rarer, which cut the run-to-run noise of a 1.5 s drain.
const CHILD_EXEC_ARGV = ['--max-semi-space-size=64'];

/** Starts kinesalite (testbed's startKinesalite) in a child process and resolves with its endpoint. */
export async function startKinesaliteProcess(shardLimit = 100): Promise<KinesaliteProcess> {
  const child: ChildProcess = fork(CHILD_SCRIPT, [String(shardLimit)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: CHILD_EXEC_ARGV,
  });
  const killNow = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killNow);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kinesalite child did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.once('message', (message: { endpoint?: unknown }) => {
        clearTimeout(timer);
        if (typeof message.endpoint === 'string') resolve(message.endpoint);
        else reject(new Error(`unexpected message from the kinesalite child: ${JSON.stringify(message)}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`kinesalite child exited before it was ready (code ${code}, signal ${signal})`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    let stopping: Promise<void> | undefined;
    return {
      endpoint,
      stop: () =>
        (stopping ??= (async () => {
          if (child.connected) child.disconnect();
          const timer = setTimeout(killNow, 5_000);
          await exited;
          clearTimeout(timer);
          process.off('exit', killNow);
        })()),
    };
  } catch (error) {
    killNow();
    process.off('exit', killNow);
    throw error;
  }
}

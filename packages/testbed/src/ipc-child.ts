/** A forked helper process (a benchmark server or client, a fixture), spoken to with request/answer messages over IPC. */
import { fork, type ChildProcess } from 'node:child_process';

const START_TIMEOUT_MS = 30_000;

export interface IpcChild {
  /** The first message the child sent (its 'ready' message). */
  readonly ready: { type: string } & Record<string, unknown>;
  /** Sends `message` and resolves with the next message of type `answerType` (rejects if the child exits first). */
  request<T>(message: object, answerType: string, timeoutMs?: number): Promise<T>;
  /** Disconnects the child and waits for it to exit (SIGKILL after 5 s); safe to call twice. */
  stop(): Promise<void>;
}

export interface ForkIpcChildOptions {
  /** @defaultValue `process.env` */
  env?: NodeJS.ProcessEnv;
  /** Node options of the child. @defaultValue this process's `execArgv` (fork's default) */
  execArgv?: string[];
}

/** Forks `script` and waits for its first message (`{ type: 'ready', ... }`). */
export async function forkIpcChild(script: string, args: string[], options: ForkIpcChildOptions = {}): Promise<IpcChild> {
  const child: ChildProcess = fork(script, args, {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: options.env ?? process.env,
    ...(options.execArgv ? { execArgv: options.execArgv } : {}),
  });
  const killNow = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killNow);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const nextMessage = <T>(type: string, timeoutMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type?: unknown }): void => {
        if (message.type !== type) return;
        cleanup();
        resolve(message as T);
      };
      const onExit = (code: number | null, signal: string | null): void => {
        cleanup();
        reject(new Error(`${script} exited (code ${code}, signal ${signal}) before answering '${type}'`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${script} did not answer '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.connected) child.disconnect();
      const timer = setTimeout(killNow, 5_000);
      await exited;
      clearTimeout(timer);
      process.off('exit', killNow);
    })());
  try {
    const ready = await nextMessage<{ type: string } & Record<string, unknown>>('ready', START_TIMEOUT_MS);
    return {
      ready,
      request: <T>(message: object, answerType: string, timeoutMs = 600_000): Promise<T> => {
        const answer = nextMessage<T>(answerType, timeoutMs);
        child.send(message);
        return answer;
      },
      stop,
    };
  } catch (error) {
    killNow();
    await stop();
    throw error;
  }
}

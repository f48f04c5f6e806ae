/** Forked node children spoken to over IPC (benchmark servers, clients and workers). */
import { fork, type ChildProcess } from 'node:child_process';

/** A message a child sends over IPC; `type` says which. */
export interface ChildMessage {
  type: string;
  [key: string]: unknown;
}

const STDERR_TAIL_LINES = 20;

/** Kills of the children still running; one process 'exit' listener (installed with the first child) runs them all. */
const running = new Set<() => void>();
let exitHookInstalled = false;

function killOnExit(kill: () => void): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const each of running) each();
    });
  }
  running.add(kill);
}

/** Options of an {@link IpcChild}. */
export interface IpcChildOptions {
  /** Node options of the child. @defaultValue none */
  execArgv?: readonly string[];
  /** The child's environment. @defaultValue `process.env` */
  env?: NodeJS.ProcessEnv;
}

/**
 * A forked node child (a benchmark server, client or worker, a fixture) that talks JSON messages over IPC: waits for
 * its `ready` message, routes the others to `onMessage`, answers request/response pairs by id ({@link request}) or by
 * answer type ({@link ask}), keeps the last lines of its stderr for error messages, and is killed when this process
 * exits.
 */
export class IpcChild {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private readonly pending = new Map<number, { resolve: (m: ChildMessage) => void; timer: NodeJS.Timeout }>();
  private readonly stderrTail: string[] = [];
  private nextId = 1;
  private stopping: Promise<void> | undefined;
  private readonly killNow = (): void => {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  };
  /** Messages other than `ready` and answers to {@link request}. */
  onMessage: (message: ChildMessage) => void = () => undefined;
  /** Called once when the child exits (on its own or stopped). */
  onExit: (code: number | null, signal: NodeJS.Signals | null) => void = () => undefined;

  constructor(
    readonly name: string,
    script: string,
    args: readonly string[],
    options: IpcChildOptions = {},
  ) {
    this.child = fork(script, [...args], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [...(options.execArgv ?? [])],
      env: options.env ?? process.env,
    });
    killOnExit(this.killNow);
    this.exited = new Promise<void>((resolve) =>
      this.child.once('exit', (code, signal) => {
        running.delete(this.killNow);
        for (const [, waiter] of this.pending) clearTimeout(waiter.timer);
        this.onExit(code, signal);
        resolve();
      }),
    );
    let partial = '';
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        this.stderrTail.push(line.length > 500 ? `${line.slice(0, 500)}...` : line);
        if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
      }
    });
    this.child.on('message', (message: ChildMessage) => {
      const id = typeof message.id === 'number' ? message.id : undefined;
      const waiter = id === undefined ? undefined : this.pending.get(id);
      if (waiter && id !== undefined) {
        this.pending.delete(id);
        clearTimeout(waiter.timer);
        waiter.resolve(message);
        return;
      }
      this.onMessage(message);
    });
    this.child.on('error', () => undefined); // surfaces as exit; sends to a dead child are ignored
  }

  /** The child process itself (to signal it, or read its exit code). */
  get process(): ChildProcess {
    return this.child;
  }

  /** The child's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines the child wrote to stderr. */
  stderr(): string[] {
    return [...this.stderrTail];
  }

  /** Resolves with the `ready` message; rejects when the child exits first or after `timeoutMs`. */
  ready(timeoutMs: number): Promise<ChildMessage> {
    return new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not start within ${timeoutMs} ms`)), timeoutMs);
      const previous = this.onMessage;
      this.onMessage = (message) => {
        if (message.type !== 'ready') return previous(message);
        clearTimeout(timer);
        this.onMessage = previous;
        resolve(message);
      };
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited before it was ready: ${this.stderr().slice(-5).join(' | ') || 'no output'}`));
      });
    });
  }

  /** Sends `message` with a fresh id; resolves with the child's answer carrying that id, or undefined after `timeoutMs`. */
  request(message: ChildMessage, timeoutMs: number): Promise<ChildMessage | undefined> {
    if (!this.child.connected) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(id, { resolve, timer });
      this.child.send({ ...message, id }, (error) => {
        if (!error) return;
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(undefined);
      });
    });
  }

  /**
   * Sends `message` and resolves with the next message of type `answerType` (for children that answer by type, not
   * id); rejects when the child exits first or after `timeoutMs`.
   */
  ask<T>(message: object, answerType: string, timeoutMs = 600_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onMessage = (answer: { type?: unknown }): void => {
        if (answer.type !== answerType) return;
        cleanup();
        resolve(answer as T);
      };
      const onExit = (code: number | null, signal: string | null): void => {
        cleanup();
        reject(
          new Error(`${this.name} exited (code ${code}, signal ${signal}) before answering '${answerType}': ${this.stderr().slice(-5).join(' | ')}`),
        );
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name} did not answer '${answerType}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
      this.child.send(message);
    });
  }

  /** Sends a message without waiting for an answer (ignored when the child is gone). */
  send(message: ChildMessage): void {
    if (this.child.connected) this.child.send(message, () => undefined);
  }

  /** Disconnects (the child stops on its own), SIGKILLs it after `graceMs`; resolves when it exited. Safe to call twice. */
  stop(graceMs = 5_000): Promise<void> {
    return (this.stopping ??= (async () => {
      if (this.child.connected) this.child.disconnect();
      const timer = setTimeout(this.killNow, graceMs);
      await this.exited;
      clearTimeout(timer);
    })());
  }

  /** Resolves when the child exited. */
  whenExited(): Promise<void> {
    return this.exited;
  }
}

/** Forks `script` as an {@link IpcChild} and waits (up to `timeoutMs`) for its `ready` message, which it returns too. */
export async function forkIpcChild(
  name: string,
  script: string,
  args: readonly string[],
  options: IpcChildOptions & { timeoutMs?: number } = {},
): Promise<{ child: IpcChild; ready: ChildMessage }> {
  const child = new IpcChild(name, script, args, options);
  try {
    return { child, ready: await child.ready(options.timeoutMs ?? 30_000) };
  } catch (error) {
    await child.stop(0);
    throw error;
  }
}

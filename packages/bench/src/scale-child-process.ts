import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** A compiled script of this package, resolved through dist/ also when this module runs from src/ under ts-jest. */
export function benchScript(name: string): string {
  return join(__dirname, '..', 'dist', name);
}

/** A message a bench:scale child sends over IPC; `type` says which. */
export interface ChildMessage {
  type: string;
  [key: string]: unknown;
}

const STDERR_TAIL_LINES = 20;

/** Children still running; one process 'exit' listener kills them all (one listener per child would trip Node's
 * MaxListeners warning with 10 workers). */
const running = new Set<() => void>();
process.on('exit', () => {
  for (const kill of running) kill();
});

/**
 * A forked child of `pnpm bench:scale` that talks JSON messages over IPC: waits for its `ready` message, routes the
 * others to `onMessage`, answers request/response pairs by id, keeps the last lines of its stderr for error messages,
 * and is killed when this process exits.
 */
export class ScaleChild {
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
    execArgv: readonly string[] = [],
  ) {
    this.child = fork(benchScript(script), [...args], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [...execArgv] });
    running.add(this.killNow);
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

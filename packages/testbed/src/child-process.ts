import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

const OUTPUT_LIMIT = 16 * 1024;
const SETPRIV = '/usr/bin/setpriv';

/** Every child still running, so they can be killed when this process exits. */
const live = new Set<ManagedChild>();

// 'exit' handlers must be synchronous: SIGKILL every child's process group that is still around. The handler is only
// registered while children are alive, so test files that each start servers do not pile up 'exit' listeners.
function killLiveChildren(): void {
  for (const child of live) child.killNow('SIGKILL');
}

function track(child: ManagedChild): void {
  if (live.size === 0) process.on('exit', killLiveChildren);
  live.add(child);
}

function untrack(child: ManagedChild): void {
  if (live.delete(child) && live.size === 0) process.off('exit', killLiveChildren);
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all (e.g. ENOENT). */
  error?: Error;
}

/**
 * A server run as a child process in its own process group. Output (stdout + stderr) is kept (last 16 KB) for error
 * messages. The child is killed when stop() is called, when this process exits, and - on Linux, through
 * `setpriv --pdeathsig KILL` - by the kernel if this process dies without running exit handlers (SIGKILL, a
 * jest worker terminated by SIGTERM).
 */
export class ManagedChild {
  readonly process: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private outputText = '';
  private stopping: Promise<void> | undefined;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    const useSetpriv = process.platform === 'linux' && existsSync(SETPRIV);
    const [file, argv] = useSetpriv ? [SETPRIV, ['--pdeathsig', 'KILL', command, ...args]] : [command, [...args]];
    this.process = spawn(file, argv, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const append = (chunk: Buffer): void => {
      this.outputText = (this.outputText + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    this.process.stdout?.on('data', append);
    this.process.stderr?.on('data', append);
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.process.on('error', (error) => {
        // 'error' without a pid means the spawn failed; no 'exit' will follow.
        if (this.process.pid === undefined) this.finish({ code: null, signal: null, error }, resolve);
      });
      this.process.once('exit', (code, signal) => this.finish({ code, signal }, resolve));
    });
    track(this);
  }

  private finish(info: ExitInfo, resolve: (info: ExitInfo) => void): void {
    if (this.exitInfo) return;
    this.exitInfo = info;
    untrack(this);
    resolve(info);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** The exit status once the child has exited, else undefined. */
  get exitStatus(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** The last 16 KB the child wrote to stdout and stderr. */
  output(): string {
    return this.outputText;
  }

  /** A one-line description of how the child ended plus its output, for error messages. */
  describeExit(): string {
    const info = this.exitInfo;
    const how = !info
      ? 'is still running'
      : info.error
        ? `could not be started (${info.error.message})`
        : `exited with ${info.signal ? `signal ${info.signal}` : `code ${String(info.code)}`}`;
    const out = this.outputText.trim();
    return out === '' ? `${this.name} ${how}` : `${this.name} ${how}; its output:\n${out}`;
  }

  /** Sends `signal` to the child's process group (falls back to the child alone). Synchronous; never throws. */
  killNow(signal: NodeJS.Signals): void {
    const pid = this.process.pid;
    if (pid === undefined || this.exitInfo) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  /**
   * SIGTERM to the process group, SIGKILL after `graceMs`, resolves when the child has exited. Safe to call twice.
   * @defaultValue graceMs 3000
   */
  stop(graceMs = 3000): Promise<void> {
    this.stopping ??= (async () => {
      if (this.exitInfo) return;
      this.killNow('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const result = await Promise.race([this.exited, timedOut]);
      clearTimeout(timer);
      if (result === 'timeout') {
        this.killNow('SIGKILL');
        await this.exited;
      }
    })();
    return this.stopping;
  }
}

/**
 * Polls `check` every `intervalMs` until it returns true. Fails early, with the child's output, if `child` exits
 * meanwhile; fails with `describe()` after `timeoutMs`.
 */
export async function waitUntilReady(
  child: ManagedChild,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs: number; what: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (child.exitStatus) throw new Error(`${options.what}: ${child.describeExit()}`);
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (child.exitStatus) throw new Error(`${options.what}: ${child.describeExit()}`);
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`${options.what}: not ready after ${options.timeoutMs} ms${reason}; ${child.describeExit()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

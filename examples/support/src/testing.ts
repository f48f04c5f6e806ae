// @kcl/example-support/testing: runs a built example as a child process, the way a user would, for the examples'
// tests. Not used by the examples themselves.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** How an example process ended. */
export interface ExampleResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Options of {@link startExample}. */
export interface StartExampleOptions {
  /** The example's directory (its `dist/main.js` is run, with this as the working directory). */
  dir: string;
  /** Arguments, e.g. `['--records', '50']`. @defaultValue [] */
  args?: readonly string[];
  /**
   * Extra environment variables. The child never inherits KCL_* or AWS_* variables from the test's environment, so
   * it runs on the local test bed unless these say otherwise.
   * @defaultValue {}
   */
  env?: Record<string, string>;
}

/** A running example. */
export interface ExampleRun {
  child: ChildProcess;
  /** Standard output so far. */
  stdout(): string;
  /** Resolves with the first match of `pattern` in standard output; rejects on exit or after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process ended. */
  exited: Promise<ExampleResult>;
}

function childEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(KCL_|AWS_)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Starts `node dist/main.js ...args` in the example's directory. */
export function startExample(options: StartExampleOptions): ExampleRun {
  const began = performance.now();
  const child = spawn(process.execPath, [join(options.dir, 'dist', 'main.js'), ...(options.args ?? [])], {
    cwd: options.dir,
    env: childEnvironment(options.env ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const listener of listeners) listener();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<ExampleResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      for (const listener of listeners) listener();
      resolve({ code, signal, stdout, stderr, durationMs: Math.round(performance.now() - began) });
    });
  });
  let ended = false;
  void exited.then(
    () => (ended = true),
    () => (ended = true),
  );
  const waitForOutput = (pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(stdout);
        if (match) finish(() => resolve(match));
        else if (ended || child.exitCode !== null || child.signalCode !== null) {
          finish(() => reject(new Error(`example exited before printing ${String(pattern)}\nstdout:\n${stdout}\nstderr:\n${stderr}`)));
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`))),
        timeoutMs,
      );
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });
  return { child, stdout: () => stdout, waitForOutput, exited };
}

/**
 * Runs an example to its end. After `timeoutMs` it is killed (SIGKILL) and the promise rejects with its output.
 * @defaultValue timeoutMs 30000
 */
export async function runExample(options: StartExampleOptions & { timeoutMs?: number }): Promise<ExampleResult> {
  const run = startExample(options);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`example did not finish within ${options.timeoutMs ?? 30_000} ms\nstdout:\n${run.stdout()}`));
    }, options.timeoutMs ?? 30_000);
  });
  try {
    return await Promise.race([run.exited, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

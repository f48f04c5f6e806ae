import { execFile } from 'node:child_process';

/**
 * Runs `node <args>` in a child process and resolves with the JSON value of the last line it printed (a test fixture
 * that reports its result as one JSON line). Rejects, with what the child printed, when that line is not JSON.
 * `env` is added to this process's environment (with the pinned AWS SDK's Node-version notice silenced).
 */
export function runJsonChild<T>(args: string[], env: Record<string, string> = {}, timeoutMillis = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env }, timeout: timeoutMillis },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as T);
        } catch {
          reject(new Error(`child printed no JSON result (${error?.message ?? 'exit 0'}): ${stdout} ${stderr}`));
        }
      },
    );
  });
}

/**
 * The child side of {@link runJsonChild}: prints `{ ok: true, ...result }` as one JSON line when `work` resolves, or
 * `{ ok: false, error }` (and exit code 1) when it rejects.
 */
export function printJsonResult(work: Promise<Record<string, unknown>>): void {
  work.then(
    (result) => process.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`),
    (error: unknown) => {
      process.stdout.write(`${JSON.stringify({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * Makes `calls` calls of `call` from `concurrency` concurrent callers (each starts the next call when its last one
 * ended) and resolves with the sum of what they returned (e.g. records or shards received). Rejects on the first failure.
 */
export async function callConcurrently(calls: number, concurrency: number, call: () => Promise<number>): Promise<number> {
  let started = 0;
  let total = 0;
  const caller = async (): Promise<void> => {
    while (started < calls) {
      started++;
      const received = await call(); // not `total += await call()`: that would add to the total read before the call
      total += received;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, calls)) }, caller));
  return total;
}

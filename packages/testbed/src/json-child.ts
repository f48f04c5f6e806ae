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

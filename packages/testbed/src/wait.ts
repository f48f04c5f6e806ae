import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `predicate` every `intervalMs` until it holds (it may be async). The one polling wait of the test kit: use it
 * where no SDK waiter covers the condition.
 * @throws Error `timed out after <timeoutMs> ms waiting for <what>` once `timeoutMs` passed
 * @defaultValue timeoutMs `10000`, intervalMs `10`
 */
export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, intervalMs = 10): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await predicate())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

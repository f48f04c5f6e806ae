import { performance } from 'node:perf_hooks';

/**
 * Wall-clock milliseconds with sub-millisecond precision, comparable across the processes of one machine (each
 * process's time origin plus its monotonic clock). Every chaos log line uses it.
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * How many lease writes (takes, assignments, claims, adoptions, per-lease renewals) one loop of a worker keeps in
 * flight at most. A worker facing 10,000 leasable shards otherwise sends 10,000 lease scripts at once, and their
 * replies - each starting a consumer - arrive in one burst that blocks the event loop for seconds, so renewals and
 * the leader's role renewal miss their validity. The price of a bound: every round of writes waits for the event
 * loop, so on a busy loop (ELD L) a loop takes at most about 128 / L leases per second. 128 keeps a worker at 1,000
 * shards to 8 rounds, while whatever is sent next (a renewal, a heartbeat) waits behind at most 128 lease scripts
 * on the store's connection (about 10 ms on a local Redis). Each loop has its own bound: renewals never wait for
 * the take loops' slots.
 */
export const LEASE_WRITE_CONCURRENCY = 128;

/**
 * Runs tasks with at most `limit` in flight. `next()` is asked for the next task whenever a slot is free; it returns
 * undefined when there is nothing to start right now (its slot then ends; the run resolves when every started task
 * has settled). A task that rejects rejects the run (after the tasks in flight settled) - callers that must go on
 * catch inside their tasks.
 */
export async function runBounded(limit: number, next: () => (() => Promise<void>) | undefined): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be an integer >= 1, got ${String(limit)}`);
  let failed = false;
  let failure: unknown;
  const lane = async (): Promise<void> => {
    for (;;) {
      if (failed) return;
      const task = next();
      if (task === undefined) return;
      try {
        await task();
      } catch (error) {
        if (!failed) {
          failed = true;
          failure = error;
        }
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
  if (failed) throw failure;
}

/**
 * `Promise.all(items.map(fn))` with at most `limit` calls of `fn` in flight; results in the order of `items`. Items
 * are started in order.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let nextIndex = 0;
  await runBounded(limit, () => {
    if (nextIndex >= items.length) return undefined;
    const index = nextIndex++;
    return async () => {
      results[index] = await fn(items[index] as T, index);
    };
  });
  return results;
}

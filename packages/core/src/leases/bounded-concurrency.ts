/**
 * How many lease writes (takes, assignments, claims, adoptions, per-lease renewals) one loop of a worker keeps in
 * flight at most. A worker facing 10,000 leasable shards otherwise sends 10,000 lease scripts at once: they queue on
 * the store's single connection (a renewal sent behind them waits for all of them and misses its command timeout),
 * and their replies and the consumers they start arrive in one burst that blocks the event loop. 64 writes in flight
 * keep a local Redis or DynamoDB busy (a take is one round trip of well under a millisecond on Redis, a few ms on
 * DynamoDB: 64 in flight take about 1,000 leases in well under a second), while whatever is sent next (a renewal, a
 * heartbeat) waits behind at most 64 commands. Each loop has its own limit: renewals never wait for takes' slots.
 */
export const LEASE_WRITE_CONCURRENCY = 64;

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

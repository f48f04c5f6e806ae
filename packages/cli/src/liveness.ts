/**
 * Liveness of lease owners, judged as the worker does it (never by comparing clocks): a lease whose counter changes
 * while the CLI watches it is renewed by a live owner; one whose counter stays the same for longer than the failover
 * time is not. Time is measured on the CLI's own monotonic clock (`performance.now()`).
 */
import { performance } from 'node:perf_hooks';
import type { ShardStatus } from '@kcl/core';

/** What watching one lease's counter showed. */
export interface CounterObservation {
  /** The counter when the watch started. */
  firstCounter: number;
  /** The counter last read. */
  lastCounter: number;
  /** The counter (or the owner) changed during the watch. */
  changed: boolean;
  /** Milliseconds since the counter was last seen to change, or since the watch began when it did not change. */
  unchangedForMillis: number;
}

export interface WatchOptions {
  /** How long to watch (ms); 0 = one read, no watch. */
  millis: number;
  /** Stop as soon as a counter of one of these shards changes (all shards when omitted: watch the whole time). */
  stopOnChangeOf?: ReadonlySet<string> | undefined;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The leases as last read, and what their counters did. */
export interface WatchResult {
  leases: ShardStatus[];
  observations: Map<string, CounterObservation>;
  /** How long the watch lasted (ms, on the monotonic clock). */
  watchedMillis: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads the leases, then again every `min(1 s, millis / 5)` until more than `millis` has passed (or, with
 * `stopOnChangeOf`, one of those counters changed).
 */
export async function watchLeaseCounters(read: () => Promise<ShardStatus[]>, options: WatchOptions): Promise<WatchResult> {
  const clock = options.clock ?? (() => performance.now());
  const sleep = options.sleep ?? defaultSleep;
  const started = clock();
  let leases = await read();
  const seen = new Map<string, { first: number; last: number; owner: string | undefined; changedAt: number | undefined }>();
  for (const lease of leases)
    seen.set(lease.id, { first: lease.leaseCounter, last: lease.leaseCounter, owner: lease.assignedTo, changedAt: undefined });
  const interval = Math.max(20, Math.min(1_000, Math.floor(options.millis / 5)));
  let stop = false;
  while (!stop && options.millis > 0 && clock() - started <= options.millis) {
    await sleep(Math.min(interval, Math.max(1, options.millis - (clock() - started) + 1)));
    const readAt = clock();
    leases = await read();
    for (const lease of leases) {
      const entry = seen.get(lease.id);
      if (!entry) {
        seen.set(lease.id, { first: lease.leaseCounter, last: lease.leaseCounter, owner: lease.assignedTo, changedAt: readAt });
        continue;
      }
      if (entry.last !== lease.leaseCounter || entry.owner !== lease.assignedTo) {
        entry.last = lease.leaseCounter;
        entry.owner = lease.assignedTo;
        entry.changedAt = readAt;
        if (options.stopOnChangeOf?.has(lease.id)) stop = true;
      }
    }
  }
  const end = clock();
  const observations = new Map<string, CounterObservation>();
  for (const [id, entry] of seen) {
    observations.set(id, {
      firstCounter: entry.first,
      lastCounter: entry.last,
      changed: entry.changedAt !== undefined,
      unchangedForMillis: Math.round(end - (entry.changedAt ?? started)),
    });
  }
  return { leases, observations, watchedMillis: Math.round(end - started) };
}

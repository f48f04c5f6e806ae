import type { WorkerHeartbeat } from '../checkpoint/coordination';
import type { MonotonicClock } from './monotonic-clock';

/**
 * The leader's view of the worker registry: which workers are alive. Like the LeaseObserver for leases, it remembers
 * per worker the last heartbeat counter it saw and when (on its own monotonic clock) it first saw it. A worker whose
 * counter has not moved for `failoverTimeMillis` is dead; a worker seen for the first time is alive (it just
 * registered, or this leader just started watching). Workers missing from the registry are forgotten.
 */
export class WorkerLiveness {
  private readonly seen = new Map<string, { counter: number; firstSeenAt: number }>();

  constructor(
    private readonly failoverTimeMillis: number,
    private readonly clock: MonotonicClock,
  ) {}

  /** Records the registry as read. */
  observe(entries: readonly WorkerHeartbeat[]): void {
    const now = this.clock();
    const present = new Set<string>();
    for (const { workerId, counter } of entries) {
      present.add(workerId);
      const previous = this.seen.get(workerId);
      if (previous && previous.counter === counter) continue;
      this.seen.set(workerId, { counter, firstSeenAt: now });
    }
    for (const id of this.seen.keys()) if (!present.has(id)) this.seen.delete(id);
  }

  /** Workers whose counter moved within the failover time (sorted). */
  live(): string[] {
    const now = this.clock();
    return [...this.seen]
      .filter(([, s]) => now - s.firstSeenAt <= this.failoverTimeMillis)
      .map(([id]) => id)
      .sort();
  }

  /** Workers whose counter has not moved for `millis` (their registry entry may be removed). */
  silentFor(millis: number): string[] {
    const now = this.clock();
    return [...this.seen].filter(([, s]) => now - s.firstSeenAt > millis).map(([id]) => id);
  }

  /** Drops what is known (this worker stopped being the leader). */
  clear(): void {
    this.seen.clear();
  }
}

import type { ShardStatus } from '../checkpoint/shard-status';
import { ConfigError } from '../errors';
import { systemMonotonicClock, type MonotonicClock } from './monotonic-clock';

/** Options of {@link LeaseObserver}. */
export interface LeaseObserverOptions {
  /**
   * How long (ms) a lease's counter must stay unchanged, on this observer's clock, before the lease counts as expired.
   * Use the application's `failoverTimeMillis`. Must be a finite number > 0.
   */
  failoverTimeMillis: number;
  /**
   * The monotonic clock (ms) the observer measures with; inject a fake one in tests.
   * @defaultValue `performance.now()`
   */
  clock?: MonotonicClock | undefined;
}

interface Observation {
  leaseCounter: number;
  owner: string | undefined;
  /** Monotonic time at which this (counter, owner) value was first seen. */
  firstSeenAt: number;
}

/**
 * Decides lease expiry the way the Java KCL does, without ever comparing two machines' clocks.
 *
 * Every lease write that changes or keeps ownership (take, renew, release) increments `leaseCounter`. The observer
 * remembers, per shard, the last `(leaseCounter, owner)` value it saw and the time (on its own monotonic clock) it
 * FIRST saw that value. A lease is expired when it is unowned, or when its value has not changed for more than
 * `failoverTimeMillis` since then: its owner has stopped renewing. A lease seen for the first time is never expired
 * (the observation just started), so a restarted worker waits one failover time before taking others' leases.
 *
 * After deciding a lease is expired, take it with `checkpointer.takeLease(shard, me)` with `shard.leaseCounter` set to
 * the observed counter: the store's conditional write fails if the owner renewed in the meantime.
 */
export class LeaseObserver {
  private readonly failoverTimeMillis: number;
  private readonly clock: MonotonicClock;
  private readonly observations = new Map<string, Observation>();

  constructor(options: LeaseObserverOptions) {
    const failover = options.failoverTimeMillis;
    if (typeof failover !== 'number' || !Number.isFinite(failover) || failover <= 0) {
      throw new ConfigError('failoverTimeMillis', failover, 'a finite number of milliseconds > 0');
    }
    this.failoverTimeMillis = failover;
    this.clock = options.clock ?? systemMonotonicClock;
  }

  /**
   * Records the current state of `leases` (e.g. the result of `checkpointer.listLeases()`). A shard whose counter or
   * owner differs from the last observation starts a new observation at the current time; an unchanged one keeps
   * the time it was first seen with that value. Shards not in `leases` are left as they are (see {@link forget}).
   */
  observe(leases: Iterable<ShardStatus>): void {
    const now = this.clock();
    for (const lease of leases) {
      const previous = this.observations.get(lease.id);
      if (previous && previous.leaseCounter === lease.leaseCounter && previous.owner === lease.assignedTo) continue;
      this.observations.set(lease.id, { leaseCounter: lease.leaseCounter, owner: lease.assignedTo, firstSeenAt: now });
    }
  }

  /**
   * True when the last observed lease of `shardId` is unowned, or its value has not changed for more than
   * `failoverTimeMillis`. False for a shard that was never observed (nothing is known about it yet).
   */
  isExpired(shardId: string): boolean {
    const observation = this.observations.get(shardId);
    if (!observation) return false;
    if (observation.owner === undefined) return true;
    return this.clock() - observation.firstSeenAt > this.failoverTimeMillis;
  }

  /**
   * Milliseconds until the lease of `shardId` counts as expired if nobody renews it: 0 when expired (or expiring now),
   * undefined when the shard was never observed.
   */
  millisUntilExpiry(shardId: string): number | undefined {
    const observation = this.observations.get(shardId);
    if (!observation) return undefined;
    if (observation.owner === undefined) return 0;
    const left = observation.firstSeenAt + this.failoverTimeMillis - this.clock();
    return left >= 0 ? left : 0;
  }

  /** The `leaseCounter` last observed for `shardId`, i.e. the value to take it at; undefined if never observed. */
  observedCounter(shardId: string): number | undefined {
    return this.observations.get(shardId)?.leaseCounter;
  }

  /** Drops what is known about `shardId` (its lease was deleted, or this worker no longer cares). */
  forget(shardId: string): void {
    this.observations.delete(shardId);
  }

  /** Drops every observation. */
  clear(): void {
    this.observations.clear();
  }

  /** Number of shards currently observed. */
  get size(): number {
    return this.observations.size;
  }
}

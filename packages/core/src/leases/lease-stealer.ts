import type { Checkpointer } from '../checkpoint/checkpointer';
import type { ShardStatus } from '../checkpoint/shard-status';
import { isKclError } from '../errors';
import type { Logger } from '../logger/logger';
import type { LeaseAssessment } from './lease-assessment';
import type { LeaseSnapshot } from './lease-taker';
import type { MonotonicClock } from './monotonic-clock';

export interface LeaseStealerOptions {
  checkpointer: Checkpointer;
  workerId: string;
  clock: MonotonicClock;
  logger: Logger;
  /**
   * How old the lease-table view used for a stealing decision may be (go-kcl's `leaseSyncingTimeIntervalMillis`,
   * the minimum interval between full lease-table syncs for rebalancing). The taker reads the table every
   * `leaseRefreshPeriodMillis`; when its last read is older than this (e.g. the taker's reads are failing), the
   * stealer reads the table itself before deciding.
   */
  leaseSyncingTimeIntervalMillis: number;
  /** How long a claim may stay unanswered before the stealer gives up on it and may claim another lease. */
  claimTimeoutMillis: number;
  maxLeasesForWorker: number;
  /** The last lease-table read, and a way to read it again. */
  lastSnapshot: () => LeaseSnapshot | undefined;
  refresh: () => Promise<LeaseSnapshot>;
  assess: (snapshot: LeaseSnapshot) => LeaseAssessment;
  activeHeldCount: () => number;
  onError: (error: unknown, shardId: string | undefined) => void;
  random?: () => number;
}

interface PendingClaim {
  shardId: string;
  owner: string;
  claimedAt: number;
}

/** What one stealing round decided (for logs and tests). */
export type StealOutcome =
  | { action: 'none'; why: string }
  | { action: 'waiting'; shardId: string }
  | { action: 'claimed'; shardId: string; from: string };

/**
 * Lease stealing (opt-in, `withLeaseStealing(true)`): every `leaseStealingIntervalMillis`, a worker below its fair
 * share, when no lease is available to take, asks the most loaded worker to hand over ONE lease with `claimShard`.
 * Only when that worker holds at least two leases more than this one (so leases never bounce back and forth), and
 * only one claim at a time: the next claim waits until this worker holds the claimed lease, the claim disappeared, or
 * `claimTimeoutMillis` passed. The owner sees the claim on its next renewal, lets its consumer finish the in-flight
 * batch and shut the processor down with REQUESTED (it may checkpoint), then releases the lease; the claimer's taker
 * takes the unowned lease claimed for it on its next pass.
 */
export class LeaseStealer {
  private readonly options: LeaseStealerOptions;
  private pending: PendingClaim | undefined;

  constructor(options: LeaseStealerOptions) {
    this.options = options;
  }

  /** The claim this worker is waiting for, if any. */
  get pendingClaim(): string | undefined {
    return this.pending?.shardId;
  }

  /** One stealing round. Throws only if the lease table cannot be read. */
  async pass(): Promise<StealOutcome> {
    const o = this.options;
    let snapshot = o.lastSnapshot();
    if (!snapshot || o.clock() - snapshot.readAt > o.leaseSyncingTimeIntervalMillis) snapshot = await o.refresh();

    if (this.pending) {
      const still = this.checkPending(snapshot);
      if (still) return { action: 'waiting', shardId: still };
    }

    const assessment = o.assess(snapshot);
    const mine = o.activeHeldCount();
    if (assessment.available.length > 0) return { action: 'none', why: 'leases are available to take' };
    if (mine >= assessment.target || mine >= o.maxLeasesForWorker) return { action: 'none', why: 'at fair share' };

    let victim: string | undefined;
    let victimLeases: ShardStatus[] = [];
    for (const [owner, leases] of [...assessment.loadByWorker.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (owner === o.workerId) continue;
      if (leases.length > victimLeases.length) {
        victim = owner;
        victimLeases = leases;
      }
    }
    if (victim === undefined || victimLeases.length - mine < 2) {
      return { action: 'none', why: 'no worker holds two or more leases more than this one' };
    }
    const claimable = victimLeases.filter((l) => l.claimRequest === undefined);
    if (claimable.length === 0) return { action: 'none', why: 'every lease of the most loaded worker is already claimed' };
    const random = o.random ?? Math.random;
    const lease = claimable[Math.floor(random() * claimable.length)] as ShardStatus;
    const claim = { ...lease, parentShardIds: [...lease.parentShardIds] };
    try {
      await o.checkpointer.claimShard(claim, o.workerId);
    } catch (error) {
      if (isKclError(error) && (error.code === 'SHARD_CLAIMED' || error.code === 'LEASE_NOT_ACQUIRED')) {
        o.logger.debug('claim not placed: the lease changed', { shardId: lease.id, owner: victim, error });
        return { action: 'none', why: 'claim lost a race' };
      }
      o.onError(error, lease.id);
      return { action: 'none', why: 'claim failed' };
    }
    this.pending = { shardId: lease.id, owner: victim, claimedAt: o.clock() };
    o.logger.info('claimed a lease from the most loaded worker', {
      shardId: lease.id,
      from: victim,
      theirLeases: victimLeases.length,
      mine,
      target: assessment.target,
    });
    return { action: 'claimed', shardId: lease.id, from: victim };
  }

  /** Returns the pending shard id while the claim is still outstanding; clears it otherwise. */
  private checkPending(snapshot: LeaseSnapshot): string | undefined {
    const pending = this.pending as PendingClaim;
    const o = this.options;
    // A read that started before the claim cannot show it; judge only on newer reads (or after the timeout).
    if (snapshot.readAt <= pending.claimedAt && o.clock() - pending.claimedAt <= o.claimTimeoutMillis) return pending.shardId;
    const lease = snapshot.leases.get(pending.shardId);
    const done =
      !lease ||
      lease.assignedTo === o.workerId ||
      lease.claimRequest !== o.workerId ||
      o.clock() - pending.claimedAt > o.claimTimeoutMillis;
    if (!done) return pending.shardId;
    if (lease && lease.claimRequest === o.workerId && lease.assignedTo !== o.workerId && lease.assignedTo !== undefined) {
      o.logger.warn('claimed lease was not handed over in time; giving up on this claim', {
        shardId: pending.shardId,
        owner: lease.assignedTo,
      });
    }
    this.pending = undefined;
    return undefined;
  }
}

import type { Checkpointer } from '../checkpoint/checkpointer';
import { SHARD_END } from '../checkpoint/shard-status';
import { isKclError } from '../errors';
import type { Logger } from '../logger/logger';
import { mapBounded } from './bounded-concurrency';
import { planBalance, type Assignment, type Claim } from './balance-planner';
import { EXPIRY_RECHECK_MARGIN_MILLIS, type LeaseTaker } from './lease-taker';
import type { LeaseObserver } from './lease-observer';
import type { MonotonicClock } from './monotonic-clock';
import type { WorkerLiveness } from './worker-liveness';

export interface LeaseAssignerOptions {
  checkpointer: Checkpointer;
  workerId: string;
  clock: MonotonicClock;
  logger: Logger;
  /** Reads the table (feeding the observer), classifies it, takes for this worker or on behalf of another. */
  taker: LeaseTaker;
  observer: LeaseObserver;
  liveness: WorkerLiveness;
  failoverTimeMillis: number;
  maxLeasesForWorker: number;
  /** `enableLeaseStealing`: ask over-loaded workers to hand leases over. */
  balance: boolean;
  /** `leaseStealingIntervalMillis`: the least time between two balancing rounds (claims). */
  balanceIntervalMillis: number;
  /** Shards with a lease handle in this worker (active or stopping). */
  heldIds: () => ReadonlySet<string>;
  /** Still the leader (checked before acting: a leader paused past its validity does nothing). */
  isLeader: () => boolean;
  /** The expired leader this worker took the role from, during one validity window (LeaderElection). */
  inheritedFrom: () => { workerId: string; until: number } | undefined;
  /** Adopts leases the table shows assigned to this worker that it does not track yet. */
  adoptOwn: (shardIds: string[]) => Promise<unknown>;
  onError: (error: unknown, shardId: string | undefined, operation: string) => void;
}

/** What one leader round did (logs, tests). */
export interface AssignerPassResult {
  assigned: Assignment[];
  claimed: Claim[];
  /** This worker's own target in this round. */
  ownTarget: number | undefined;
  /** When to look again (ms): the earliest moment an observed live lease would expire; undefined if none. */
  recheckInMillis: number | undefined;
}

/**
 * The leader's round (every `leaseRefreshPeriodMillis`, and early when an observed lease is about to expire): reads
 * the whole lease table and the worker registry, feeds the observers (lease counters, heartbeat counters: expiry on
 * this process's monotonic clock), then plans with {@link planBalance} and acts in parallel, at most the taker's
 * `writeConcurrency` writes in flight: takes new, unowned and expired leases for the live workers below their target
 * (for itself directly; for another worker on its behalf, conditional on the observed counter), and - at most every
 * `balanceIntervalMillis` - claims leases of over-loaded workers for under-loaded ones (the owner hands them over with
 * `transferLease` after its batch). A lease moved by this leader is not claimed again for a failover time. A worker
 * owning an expired lease receives nothing for a failover time (its heartbeat may outlive its renewals by a renewal
 * interval). Registry entries silent for two failover times are removed.
 */
export class LeaseAssigner {
  private readonly options: LeaseAssignerOptions;
  private readonly movedAt = new Map<string, number>();
  /** Since when (this leader's clock) each worker has owned an expired lease: it receives nothing for a failover time. */
  private readonly expiredOwnerSince = new Map<string, number>();
  private lastBalanceAt: number | undefined;

  constructor(options: LeaseAssignerOptions) {
    this.options = options;
  }

  /** Forgets what this leader knew (it stopped being the leader). */
  reset(): void {
    this.expiredOwnerSince.clear();
    this.movedAt.clear();
    this.lastBalanceAt = undefined;
    this.options.liveness.clear();
  }

  /** One round. Throws if the table or the registry cannot be read. */
  async pass(): Promise<AssignerPassResult> {
    const o = this.options;
    const idle: AssignerPassResult = { assigned: [], claimed: [], ownTarget: undefined, recheckInMillis: undefined };
    if (!o.isLeader()) return idle;
    const [snapshot, workers] = await Promise.all([o.taker.refresh(), o.checkpointer.listWorkers()]);
    o.liveness.observe(workers);
    if (!o.isLeader()) return idle;
    const assessment = o.taker.assess(snapshot);
    const now = o.clock();
    for (const [id, at] of this.movedAt) if (now - at > o.failoverTimeMillis) this.movedAt.delete(id);
    const held = o.heldIds();
    const live = new Set(o.liveness.live());
    live.add(o.workerId);
    // Leases of the leader this worker took the role from: given up with the role, so expired at once (reads that
    // started within the window only: afterwards that worker may hold new leases again).
    const inherited = o.inheritedFrom();
    const inheritedOwner = inherited && snapshot.readAt < inherited.until ? inherited.workerId : undefined;
    if (inherited) live.delete(inherited.workerId);
    // A worker whose lease expired has stopped renewing it (dead, paused, or it gave the shard up). Its heartbeat may
    // still look fresh (it runs on its own timer, up to one renewal interval after the last lease renewal): it gets
    // nothing this round, least of all its expired leases back (which would cost them a second failover time).
    // Only for one failover time, though: a worker whose heartbeat still moves after that is alive (e.g. a restarted
    // process with the same worker id, which never adopts its former incarnation's leases); it may receive them again,
    // with a new token, or an expired lease whose owner counts in the targets could wait for a receiver for good.
    const ownersOfExpired = new Set<string>();
    for (const lease of snapshot.leases.values()) {
      const owner = lease.assignedTo;
      if (owner !== undefined && owner !== o.workerId && lease.checkpoint !== SHARD_END && o.observer.isExpired(lease.id)) ownersOfExpired.add(owner);
    }
    for (const owner of this.expiredOwnerSince.keys()) if (!ownersOfExpired.has(owner)) this.expiredOwnerSince.delete(owner);
    for (const owner of ownersOfExpired) {
      const since = this.expiredOwnerSince.get(owner) ?? now;
      this.expiredOwnerSince.set(owner, since);
      if (now - since < o.failoverTimeMillis) live.delete(owner);
    }
    const balanceDue = o.balance && (this.lastBalanceAt === undefined || now - this.lastBalanceAt >= o.balanceIntervalMillis);
    const plan = planBalance({
      leasable: assessment.leasable,
      leases: snapshot.leases,
      liveWorkers: [...live],
      isExpired: (id) => o.observer.isExpired(id) || (inheritedOwner !== undefined && snapshot.leases.get(id)?.assignedTo === inheritedOwner),
      maxLeasesForWorker: o.maxLeasesForWorker,
      recentlyMoved: new Set(this.movedAt.keys()),
      balance: balanceDue,
      // Never to this worker a shard it still has a handle for (a consumer stopping, or stuck after giving it up).
      cannotReceive: (worker, shardId) => worker === o.workerId && held.has(shardId),
    });
    const assignments = plan.assignments;
    // Assignments and claims share one bound: at most `writeConcurrency` lease writes of this round in flight.
    const writes: Array<() => Promise<boolean>> = [...assignments.map((a) => () => this.assign(a)), ...plan.claims.map((c) => () => this.claim(c))];
    const done = await mapBounded(writes, o.taker.writeConcurrency, (write) => write());
    const assignedOk = done.slice(0, assignments.length);
    const claimedOk = done.slice(assignments.length);
    if (plan.claims.length > 0) this.lastBalanceAt = now;
    const assigned = assignments.filter((_, i) => assignedOk[i]);
    const claimed = plan.claims.filter((_, i) => claimedOk[i]);
    const movedNow = o.clock();
    for (const m of [...assigned, ...claimed]) this.movedAt.set(m.shardId, movedNow);
    if (assigned.length > 0 || claimed.length > 0) {
      o.logger.info('leader round', {
        assigned: assigned.length,
        claimed: claimed.length,
        leasable: assessment.leasable.length,
        workers: live.size,
      });
    }

    // Leases handed over to the leader show up in the table it just read.
    const own = [...snapshot.leases.values()]
      .filter((l) => l.assignedTo === o.workerId && l.checkpoint !== SHARD_END && !o.observer.isExpired(l.id))
      .map((l) => l.id);
    await o.adoptOwn(own);

    // Registry entries of workers gone for two failover times (one to be declared dead, one more) are removed.
    for (const id of o.liveness.silentFor(2 * o.failoverTimeMillis)) {
      if (id === o.workerId) continue;
      try {
        await o.checkpointer.removeWorker(id);
      } catch (error) {
        o.onError(error, undefined, 'removeWorker');
      }
    }
    const recheckInMillis = assessment.nextExpiryMillis === undefined ? undefined : assessment.nextExpiryMillis + EXPIRY_RECHECK_MARGIN_MILLIS;
    return { assigned, claimed, ownTarget: plan.targets.get(o.workerId), recheckInMillis };
  }

  private async assign(a: Assignment): Promise<boolean> {
    const o = this.options;
    if (!o.isLeader()) return false;
    return o.taker.takeFor({ shardId: a.shardId, kind: a.kind, lease: a.lease }, a.to);
  }

  private async claim(c: Claim): Promise<boolean> {
    const o = this.options;
    if (!o.isLeader()) return false;
    const lease = { ...c.lease, parentShardIds: [...c.lease.parentShardIds] };
    try {
      await o.checkpointer.claimShard(lease, c.to);
      o.logger.debug('hand-off requested', { shardId: c.shardId, from: c.from, to: c.to });
      return true;
    } catch (error) {
      if (isKclError(error) && (error.code === 'SHARD_CLAIMED' || error.code === 'LEASE_NOT_ACQUIRED')) return false;
      o.onError(error, c.shardId, 'claimShard');
      return false;
    }
  }
}

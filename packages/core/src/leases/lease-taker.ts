import type { Checkpointer } from '../checkpoint/checkpointer';
import { createShardStatus, type ShardStatus } from '../checkpoint/shard-status';
import { isKclError } from '../errors';
import type { Logger } from '../logger/logger';
import { parentsOf } from '../shards/shard-lineage';
import type { ShardRegistry } from '../shards/shard-registry';
import { LEASE_WRITE_CONCURRENCY, runBounded } from './bounded-concurrency';
import { assessLeases, type AvailableLease, type LeaseAssessment } from './lease-assessment';
import type { LeaseObserver } from './lease-observer';
import type { MonotonicClock } from './monotonic-clock';

/** The lease table as read by one pass, with the monotonic time of the read. */
export interface LeaseSnapshot {
  leases: Map<string, ShardStatus>;
  /** When the read was sent: the snapshot shows every write that completed before this time. */
  readAt: number;
}

export interface LeaseTakerOptions {
  checkpointer: Checkpointer;
  workerId: string;
  registry: ShardRegistry;
  observer: LeaseObserver;
  clock: MonotonicClock;
  logger: Logger;
  failoverTimeMillis: number;
  maxLeasesForWorker: number;
  /** Shards with a lease handle in this worker (active or stopping). */
  heldIds: () => ReadonlySet<string>;
  /** Leases this worker holds and renews. */
  activeHeldCount: () => number;
  /** Shards this worker saw end since the last read. */
  endedLocally: () => ReadonlySet<string>;
  /** A take succeeded: `shard` is the stored lease (owner, token, counter, checkpoint) plus the ListShards fields. */
  onTaken: (shard: ShardStatus, takeStartedAt: number) => void;
  /** A take failed for another reason than "someone else won". */
  onError: (error: unknown, shardId: string) => void;
  random?: () => number;
  /** Most takes in flight at once (default {@link LEASE_WRITE_CONCURRENCY}). */
  writeConcurrency?: number;
}

/** What one pass did. */
export interface TakePassResult {
  assessment: LeaseAssessment;
  taken: string[];
  /**
   * When to look again (ms): the moment the earliest live lease of another worker (as observed) would expire if it is
   * not renewed, plus {@link EXPIRY_RECHECK_MARGIN_MILLIS}. The periodic task runs the next pass at the sooner of this
   * and its regular interval. Undefined when no such lease exists or this worker cannot take more leases.
   */
  recheckInMillis: number | undefined;
}

/**
 * Added to the time until a lease expires when scheduling the pass that may take it: expiry needs MORE than the
 * failover time unchanged, and a timer may fire up to about a millisecond early as measured by `performance.now()`.
 * A pass that still finds the lease live simply schedules itself again.
 */
export const EXPIRY_RECHECK_MARGIN_MILLIS = 2;

/**
 * Takes leases up to this worker's fair share. Each pass reads the whole lease table (`listLeases`), feeds the
 * LeaseObserver, classifies every shard ({@link assessLeases}) and takes up to `target - held` leases, at most
 * `writeConcurrency` ({@link LEASE_WRITE_CONCURRENCY}) at a time: claimed-for-me first, then new and unowned ones,
 * then expired ones. A take is `takeLease(shard, workerId)` with the counter as observed, i.e. a write
 * conditional on that counter; LeaseNotAcquiredError means another worker won the race and is skipped quietly.
 */
export class LeaseTaker {
  private readonly options: LeaseTakerOptions;
  private snapshot: LeaseSnapshot | undefined;
  /** For unowned leases claimed by another worker: when this (counter, claim) was first seen. */
  private readonly claimsSeen = new Map<string, { counter: number; claim: string; since: number }>();

  constructor(options: LeaseTakerOptions) {
    this.options = options;
  }

  /** Most lease writes (takes, assignments) in flight at once. */
  get writeConcurrency(): number {
    return this.options.writeConcurrency ?? LEASE_WRITE_CONCURRENCY;
  }

  /** The lease table as read by the last successful pass (or {@link refresh}). */
  get lastSnapshot(): LeaseSnapshot | undefined {
    return this.snapshot;
  }

  /** Reads the whole lease table, feeds the observer and remembers the snapshot. */
  async refresh(): Promise<LeaseSnapshot> {
    const { checkpointer, observer, clock } = this.options;
    const readAt = clock();
    const rows = await checkpointer.listLeases();
    const leases = new Map<string, ShardStatus>();
    for (const row of rows) leases.set(row.id, row);
    observer.observe(rows);
    if (this.snapshot) {
      for (const id of this.snapshot.leases.keys()) if (!leases.has(id)) observer.forget(id);
    }
    this.trackClaims(leases);
    this.snapshot = { leases, readAt };
    return this.snapshot;
  }

  /** Classifies `snapshot` (default: the last one) without taking anything. */
  assess(snapshot: LeaseSnapshot): LeaseAssessment {
    const o = this.options;
    const input = {
      workerId: o.workerId,
      leases: snapshot.leases,
      registry: o.registry,
      observer: o.observer,
      heldIds: o.heldIds(),
      endedLocally: o.endedLocally(),
      maxLeasesForWorker: o.maxLeasesForWorker,
      isClaimStale: (lease: ShardStatus) => this.isClaimStale(lease),
    };
    return assessLeases(o.random ? { ...input, random: o.random } : input);
  }

  /**
   * One pass: read, assess, take up to the fair share (nothing with `mayTake` false). Throws if the lease table
   * cannot be read.
   */
  async pass(mayTake = true): Promise<TakePassResult> {
    const { clock, maxLeasesForWorker } = this.options;
    const snapshot = await this.refresh();
    const assessment = this.assess(snapshot);
    const nextExpiryAt = assessment.nextExpiryMillis === undefined ? undefined : clock() + assessment.nextExpiryMillis;
    const held = this.options.activeHeldCount();
    const need = mayTake ? Math.min(assessment.target, maxLeasesForWorker) - held : 0;
    const taken: string[] = [];
    const queue = assessment.available;
    let next = 0;
    let inFlight = 0;
    // Candidates in order, at most `writeConcurrency` takes in flight, never more started than still needed: a take
    // that fails (another worker won) makes room for the next candidate. A slot that finds nothing to start ends; the
    // outer loop starts again while takes that failed left room and candidates remain.
    const nextTake = (): (() => Promise<void>) | undefined => {
      if (taken.length + inFlight >= need || next >= queue.length) return undefined;
      const candidate = queue[next++] as AvailableLease;
      inFlight++;
      return async () => {
        try {
          if (await this.take(candidate)) taken.push(candidate.shardId);
        } finally {
          inFlight--;
        }
      };
    };
    while (taken.length < need && next < queue.length) await runBounded(this.writeConcurrency, nextTake);
    if (taken.length > 0) {
      this.options.logger.info('leases taken', {
        taken,
        held: held + taken.length,
        target: assessment.target,
        leasable: assessment.leasable.length,
        workers: assessment.workers.size,
      });
    }
    // Look again the moment the earliest observed lease of another worker would expire - also at the fair share: when
    // a worker dies its leases expire, it no longer counts as a live worker and the fair share rises. Without this a
    // survivor at its share would notice only at its next regular pass, up to one more take interval later.
    const recheckInMillis =
      nextExpiryAt !== undefined && held + taken.length < maxLeasesForWorker
        ? Math.max(0, nextExpiryAt - clock()) + EXPIRY_RECHECK_MARGIN_MILLIS
        : undefined;
    return { assessment, taken, recheckInMillis };
  }

  /** Takes `candidate` for this worker (its consumer starts via `onTaken`). False if another worker won or it failed. */
  take(candidate: AvailableLease): Promise<boolean> {
    return this.takeFor(candidate, this.options.workerId);
  }

  /**
   * Takes `candidate` for `owner` at the counter observed in the last read: for this worker (then `onTaken` starts
   * its consumer), or - by the leader - on behalf of another worker, which finds it in its own-leases read and renews
   * it before processing. False if another worker won the race (or the take failed: reported through `onError`).
   */
  async takeFor(candidate: AvailableLease, owner: string): Promise<boolean> {
    const { checkpointer, registry, clock, logger } = this.options;
    const workerId = owner;
    const mine = owner === this.options.workerId;
    const { shardId, lease } = candidate;
    const info = registry.get(shardId);
    const snapshotLeases = this.snapshot?.leases ?? new Map<string, ShardStatus>();
    const shard = createShardStatus(shardId, {
      parentShardIds: parentsOf(shardId, { registry, leases: snapshotLeases, endedLocally: new Set() }),
      checkpoint: lease?.checkpoint,
      subSequenceNumber: lease?.subSequenceNumber,
      claimRequest: lease?.claimRequest,
      // A take: the observed counter and no token, so the write is conditional on the counter.
      leaseCounter: lease?.leaseCounter ?? 0,
      hashKeyRange: info?.hashKeyRange ? { ...info.hashKeyRange } : undefined,
      startingSequenceNumber: info?.startingSequenceNumber,
      endingSequenceNumber: info?.endingSequenceNumber,
    });
    const startedAt = clock();
    try {
      await checkpointer.takeLease(shard, workerId);
    } catch (error) {
      if (isKclError(error) && error.code === 'LEASE_NOT_ACQUIRED') {
        logger.debug('lease not acquired: another worker was faster', { shardId, kind: candidate.kind });
        return false;
      }
      logger.warn('taking a lease failed', { shardId, error });
      this.options.onError(error, shardId);
      return false;
    }
    if (shard.assignedTo !== workerId || shard.leaseToken === undefined) {
      logger.warn('lease store answered a take without making this worker the owner; ignoring it', { shardId });
      return false;
    }
    // ListShards fields are not stored; keep them on the live lease (the KPL filter needs the hash key range).
    if (info?.hashKeyRange) shard.hashKeyRange = { ...info.hashKeyRange };
    shard.startingSequenceNumber = info?.startingSequenceNumber;
    shard.endingSequenceNumber = info?.endingSequenceNumber;
    logger.debug(mine ? 'lease taken' : 'lease assigned', { shardId, kind: candidate.kind, owner, leaseCounter: shard.leaseCounter });
    if (mine) this.options.onTaken(shard, startedAt);
    return true;
  }

  private trackClaims(leases: Map<string, ShardStatus>): void {
    const now = this.options.clock();
    for (const [id, lease] of leases) {
      if (lease.assignedTo !== undefined || lease.claimRequest === undefined) {
        this.claimsSeen.delete(id);
        continue;
      }
      const seen = this.claimsSeen.get(id);
      if (!seen || seen.counter !== lease.leaseCounter || seen.claim !== lease.claimRequest) {
        this.claimsSeen.set(id, { counter: lease.leaseCounter, claim: lease.claimRequest, since: now });
      }
    }
    for (const id of this.claimsSeen.keys()) if (!leases.has(id)) this.claimsSeen.delete(id);
  }

  /** An unowned lease claimed by another worker that has not taken it for a failover time: the claimer is gone. */
  private isClaimStale(lease: ShardStatus): boolean {
    const seen = this.claimsSeen.get(lease.id);
    if (!seen) return false;
    return this.options.clock() - seen.since > this.options.failoverTimeMillis;
  }
}

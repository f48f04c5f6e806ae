import type { Checkpointer } from '../checkpoint/checkpointer';
import { SHARD_END, type ShardStatus } from '../checkpoint/shard-status';
import type { KinesisClientLibConfig } from '../config/kcl-config';
import { isKclError } from '../errors';
import type { Logger } from '../logger/logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import type { ShardRegistry } from '../shards/shard-registry';
import { jittered, PeriodicTask } from '../worker/periodic-task';
import { HeldLease, type LeaseLostReason } from './held-lease';
import { LeaseObserver } from './lease-observer';
import { LeaseRenewer } from './lease-renewer';
import { LeaseStealer } from './lease-stealer';
import { LeaseTaker } from './lease-taker';
import { computeLeaseTiming, type LeaseTiming } from './lease-timing';
import { systemMonotonicClock, type MonotonicClock } from './monotonic-clock';

/** What the coordinator tells the worker. Implementations must not throw (calls are guarded anyway). */
export interface LeaseCoordinatorListener {
  /** A lease was taken: start a consumer for it. */
  leaseAcquired(handle: HeldLease): void;
  /** This worker no longer holds the lease (lost, released, handed over or abandoned). */
  leaseLost(shardId: string, reason: LeaseLostReason): void;
  /** A lease-store operation failed (it is retried by the loop that made it). */
  error(error: unknown, context: { shardId?: string; operation: string }): void;
}

/** The config fields the lease side reads. */
export type LeaseConfig = Pick<
  KinesisClientLibConfig,
  | 'workerId'
  | 'failoverTimeMillis'
  | 'leaseRefreshPeriodMillis'
  | 'maxLeasesForWorker'
  | 'enableLeaseStealing'
  | 'leaseStealingIntervalMillis'
  | 'leaseSyncingTimeIntervalMillis'
>;

export interface LeaseCoordinatorOptions {
  checkpointer: Checkpointer;
  config: LeaseConfig;
  registry: ShardRegistry;
  logger: Logger;
  monitoring: MonitoringService;
  listener: LeaseCoordinatorListener;
  /** @defaultValue `performance.now()` */
  clock?: MonotonicClock;
  /** @defaultValue `Math.random` */
  random?: () => number;
}

/**
 * Drives the lease side of one worker: the taker (every `leaseRefreshPeriodMillis`, slightly jittered, and early
 * when a lease is about to expire or a shard ended), the renewer (per held lease), and the stealer (opt-in, every
 * `leaseStealingIntervalMillis`). It owns the set of leases this worker holds; the worker reports back how each
 * shard consumer ended ({@link shardEnded}, {@link release}, {@link drop}).
 */
export class LeaseCoordinator {
  readonly timing: LeaseTiming;
  readonly observer: LeaseObserver;
  private readonly options: LeaseCoordinatorOptions;
  private readonly clock: MonotonicClock;
  private readonly random: () => number;
  private readonly held = new Map<string, HeldLease>();
  private readonly endedLocally = new Set<string>();
  private readonly taker: LeaseTaker;
  private readonly renewer: LeaseRenewer;
  private readonly stealer: LeaseStealer | undefined;
  private readonly takerTask: PeriodicTask;
  private readonly stealerTask: PeriodicTask | undefined;
  private taking = false;

  constructor(options: LeaseCoordinatorOptions) {
    this.options = options;
    const { config, checkpointer, logger, registry, monitoring } = options;
    this.clock = options.clock ?? systemMonotonicClock;
    this.random = options.random ?? Math.random;
    this.timing = computeLeaseTiming(config.failoverTimeMillis, config.leaseRefreshPeriodMillis);
    this.observer = new LeaseObserver({ failoverTimeMillis: config.failoverTimeMillis, clock: this.clock });
    this.renewer = new LeaseRenewer({
      checkpointer,
      workerId: config.workerId,
      timing: this.timing,
      clock: this.clock,
      logger,
      monitoring,
      onLost: (handle, reason) => this.reportLost(handle.shardId, reason),
      onError: (error, shardId) => this.reportError(error, 'renewLease', shardId),
    });
    this.taker = new LeaseTaker({
      checkpointer,
      workerId: config.workerId,
      registry,
      observer: this.observer,
      clock: this.clock,
      logger,
      failoverTimeMillis: config.failoverTimeMillis,
      maxLeasesForWorker: config.maxLeasesForWorker,
      heldIds: () => new Set(this.held.keys()),
      activeHeldCount: () => this.activeCount(),
      endedLocally: () => this.endedLocally,
      onTaken: (shard, startedAt) => this.onTaken(shard, startedAt),
      onError: (error, shardId) => this.reportError(error, 'takeLease', shardId),
      random: this.random,
    });
    this.takerTask = new PeriodicTask({
      run: () => this.takePass(),
      intervalMillis: () => jittered(this.timing.takeIntervalMillis, 0.8, 1, this.random),
      onError: (error) => this.reportError(error, 'takeLeases'),
    });
    if (config.enableLeaseStealing) {
      const stealer = new LeaseStealer({
        checkpointer,
        workerId: config.workerId,
        clock: this.clock,
        logger,
        leaseSyncingTimeIntervalMillis: config.leaseSyncingTimeIntervalMillis,
        claimTimeoutMillis: 2 * (config.failoverTimeMillis + config.leaseRefreshPeriodMillis),
        maxLeasesForWorker: config.maxLeasesForWorker,
        lastSnapshot: () => this.taker.lastSnapshot,
        refresh: () => this.taker.refresh(),
        assess: (snapshot) => this.taker.assess(snapshot),
        activeHeldCount: () => this.activeCount(),
        onError: (error, shardId) => this.reportError(error, 'claimShard', shardId),
        random: this.random,
      });
      this.stealer = stealer;
      this.stealerTask = new PeriodicTask({
        run: async () => {
          await stealer.pass();
        },
        intervalMillis: () => jittered(config.leaseStealingIntervalMillis, 0.8, 1.2, this.random),
        onError: (error) => this.reportError(error, 'stealLease'),
      });
    }
  }

  /**
   * Runs the first take pass at once (its failure is reported, not thrown: the loop retries) and starts the loops.
   * Resolves when the first pass is done, so consumers for the first leases are already starting.
   */
  async start(): Promise<void> {
    try {
      const hint = await this.takePass();
      this.takerTask.start(Math.min(hint ?? Infinity, jittered(this.timing.takeIntervalMillis, 0.8, 1, this.random)));
    } catch (error) {
      this.reportError(error, 'takeLeases');
      this.takerTask.start(this.timing.renewRetryMillis);
    }
    this.stealerTask?.start();
  }

  /** Asks for a take pass as soon as possible (a shard ended, children may be ready). */
  triggerTakePass(): void {
    this.takerTask.trigger();
  }

  /** Leases with a handle in this worker (active, or lost and still stopping). */
  heldLeases(): HeldLease[] {
    return [...this.held.values()];
  }

  get(shardId: string): HeldLease | undefined {
    return this.held.get(shardId);
  }

  /** Number of leases held and renewed. */
  activeCount(): number {
    let n = 0;
    for (const handle of this.held.values()) if (handle.state === 'active') n += 1;
    return n;
  }

  /** The stealer's outstanding claim (tests, diagnostics). */
  get pendingClaim(): string | undefined {
    return this.stealer?.pendingClaim;
  }

  /**
   * Shards this worker saw end (their SHARD_END leases are kept, not renewed) and that the last lease table read did
   * not yet show at SHARD_END.
   */
  get endedShards(): ReadonlySet<string> {
    return this.endedLocally;
  }

  /** Runs one stealing round now (tests). */
  async stealOnce(): Promise<unknown> {
    return this.stealer?.pass();
  }

  /**
   * The consumer of `shardId` reached the shard end and checkpointed SHARD_END: the lease is kept (not released, so
   * the shard is never leased again) and no longer renewed; a take pass runs at once for its children.
   */
  shardEnded(shardId: string): void {
    const handle = this.held.get(shardId);
    this.endedLocally.add(shardId);
    this.renewer.untrack(shardId);
    this.held.delete(shardId);
    if (handle?.state === 'active') {
      handle.markEnded();
      this.safe(() => this.options.monitoring.leaseLost(shardId));
    }
    this.triggerTakePass();
  }

  /**
   * The consumer of `shardId` stopped with REQUESTED (shutdown or hand-off): releases the lease with
   * removeLeaseOwner (fenced by the lease token of this tenure) so another worker can take it at once. Never
   * rejects; a release that fails is left to expire.
   */
  async release(shardId: string, reason: 'released' | 'handoff' | 'failing'): Promise<void> {
    const handle = this.held.get(shardId);
    if (!handle) return;
    this.renewer.untrack(shardId);
    if (handle.state !== 'active') {
      this.held.delete(shardId);
      return;
    }
    // The token of this tenure: the store releases only if it is still the stored one, so a release that arrives
    // late (after this lease was lost and re-taken, even by the same worker id) cannot free the new tenure's lease.
    const token = handle.shard.leaseToken;
    handle.markReleased(reason);
    let outcome: LeaseLostReason = reason;
    if (token === undefined) {
      this.options.logger.warn('the lease has no token to release it with; it will expire instead', { shardId });
      outcome = 'abandoned';
    }
    for (let attempt = 1; token !== undefined; attempt++) {
      try {
        await this.options.checkpointer.removeLeaseOwner(shardId, token);
        break;
      } catch (error) {
        if (isKclError(error) && error.code === 'LEASE_LOST') break;
        if (attempt >= 3) {
          this.options.logger.warn('releasing a lease failed; it will expire instead', { shardId, error });
          this.reportError(error, 'releaseLease', shardId);
          outcome = 'abandoned';
          break;
        }
        await new Promise<void>((resolve) => setTimeout(resolve, this.timing.renewRetryMillis));
      }
    }
    this.held.delete(shardId);
    this.reportLost(shardId, outcome);
  }

  /** The consumer of `shardId` stopped with ZOMBIE or failed: forget the lease (it is not released). */
  drop(shardId: string): void {
    const handle = this.held.get(shardId);
    if (!handle) return;
    // A consumer that noticed an overdue renewal before the renewer's timer did: still an expiry.
    const reason: LeaseLostReason = handle.state === 'active' && !handle.isValid() ? 'expired' : 'consumer';
    this.renewer.untrack(shardId);
    this.held.delete(shardId);
    if (handle.markLost(reason)) this.reportLost(shardId, reason);
  }

  /**
   * Gives up a lease without releasing it (shutdown grace period over): renewal stops, the lost signal is aborted
   * so the consumer stops, and the lease expires for the others after the failover time.
   */
  abandon(shardId: string): void {
    const handle = this.held.get(shardId);
    if (!handle) return;
    this.renewer.untrack(shardId);
    this.held.delete(shardId);
    if (handle.markLost('abandoned')) this.reportLost(shardId, 'abandoned');
  }

  /**
   * Gives up a lease whose consumer keeps running (a processor call past `maxProcessingTimeMillis`): renewal stops
   * and the lost signal is aborted, so the lease expires for the others after the failover time. The handle is kept
   * until the consumer ends ({@link drop}), so this worker does not take the shard again meanwhile.
   */
  giveUp(shardId: string, reason: LeaseLostReason): void {
    const handle = this.held.get(shardId);
    if (!handle) return;
    this.renewer.untrack(shardId);
    if (handle.markLost(reason)) this.reportLost(shardId, reason);
  }

  /** Stops taking and stealing (shutdown step 1). Resolves once a pass in progress has finished. */
  async stopAcquiring(): Promise<void> {
    await Promise.all([this.takerTask.stop(), this.stealerTask?.stop()]);
  }

  /** Stops every renewal (shutdown, after the consumers stopped). */
  stopRenewing(): void {
    this.renewer.stopAll();
  }

  private async takePass(): Promise<number | void> {
    if (this.taking) return;
    this.taking = true;
    try {
      const result = await this.taker.pass();
      this.pruneEndedLocally();
      return result.recheckInMillis;
    } finally {
      this.taking = false;
    }
  }

  /**
   * Keeps {@link endedLocally} bounded. A shard is in it only to bridge the time until a lease table read shows its
   * SHARD_END (children may start, the shard is never re-taken). It is forgotten once the last read shows the lease at
   * SHARD_END (the store keeps SHARD_END final, so the table now says the same for good) or the stream no longer has
   * the shard (then it is neither leasable nor blocking: see shard-lineage.ts). So the set holds at most the shards
   * that ended since the last successful take pass.
   */
  private pruneEndedLocally(): void {
    const snapshot = this.taker.lastSnapshot;
    if (!snapshot) return;
    const { registry } = this.options;
    for (const id of this.endedLocally) {
      if (snapshot.leases.get(id)?.checkpoint === SHARD_END || (registry.synced && !registry.has(id))) {
        this.endedLocally.delete(id);
      }
    }
  }

  private onTaken(shard: ShardStatus, startedAt: number): void {
    const { config, monitoring, listener, logger } = this.options;
    const handle = new HeldLease(shard, startedAt, this.timing.validityMillis, this.clock, config.workerId);
    this.held.set(shard.id, handle);
    this.renewer.track(handle);
    this.safe(() => monitoring.leaseGained(shard.id));
    logger.debug('lease acquired', { shardId: shard.id });
    this.safe(() => listener.leaseAcquired(handle));
  }

  private reportLost(shardId: string, reason: LeaseLostReason): void {
    this.safe(() => this.options.monitoring.leaseLost(shardId));
    this.safe(() => this.options.listener.leaseLost(shardId, reason));
  }

  private reportError(error: unknown, operation: string, shardId?: string): void {
    this.safe(() => this.options.listener.error(error, shardId === undefined ? { operation } : { shardId, operation }));
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.options.logger.error('listener threw', { error });
    }
  }
}

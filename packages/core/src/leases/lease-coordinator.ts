import type { Checkpointer } from '../checkpoint/checkpointer';
import { SHARD_END, type ShardStatus } from '../checkpoint/shard-status';
import type { KinesisClientLibConfig } from '../config/kcl-config';
import { isKclError } from '../errors';
import type { Logger } from '../logger/logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import type { ShardRegistry } from '../shards/shard-registry';
import { jittered, PeriodicTask } from '../worker/periodic-task';
import { HeldLease, type LeaseLostReason } from './held-lease';
import { LeaderElection, type DeposeReason } from './leader-election';
import { LeaseAssigner } from './lease-assigner';
import { LeaseObserver } from './lease-observer';
import { LeaseRenewer } from './lease-renewer';
import { LeaseTaker } from './lease-taker';
import { computeLeaseTiming, type LeaseTiming } from './lease-timing';
import { systemMonotonicClock, type MonotonicClock } from './monotonic-clock';
import { OwnedLeaseDiscovery } from './owned-lease-discovery';
import { WorkerLiveness } from './worker-liveness';

/** Fastest own-leases read while a worker is below its target (hand-offs are picked up quickly). */
export const FAST_DISCOVERY_MILLIS = 500;

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
 * Drives the lease side of one worker (docs/design/fleet-coordination.md). It owns the set of leases this worker holds;
 * the worker reports back how each shard consumer ended ({@link shardEnded}, {@link release}, {@link drop}).
 *
 * - Start: one read of the lease table; new and unowned leasable leases are taken up to the fair share at once.
 * - Every renewal interval: the heartbeat (worker registry) and the leader election ({@link LeaderElection}).
 * - The leader, every `leaseRefreshPeriodMillis` (and early when an observed lease is about to expire or a shard
 *   ended): reads the table and the registry and assigns / balances ({@link LeaseAssigner}).
 * - Every other worker: reads only its own leases ({@link OwnedLeaseDiscovery}), every `leaseRefreshPeriodMillis`, or
 *   every `min(500 ms, leaseRefreshPeriodMillis)` while below its target or just after it got a lease.
 * - The renewer keeps held leases alive; a lease claimed for another worker is handed over with `transferLease` after
 *   the consumer's REQUESTED shutdown.
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
  private readonly election: LeaderElection;
  private readonly assigner: LeaseAssigner;
  private readonly discovery: OwnedLeaseDiscovery;
  private readonly membershipTask: PeriodicTask;
  private readonly leaderTask: PeriodicTask;
  private readonly discoveryTask: PeriodicTask;
  private readonly foreignTokens = new Set<string>();
  private foreignTokensRead = false;
  /** This worker's share as last known (start pass, or the leader's plan). */
  private knownTarget = 0;
  private lastAdoptedAt: number | undefined;
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
    this.election = new LeaderElection({
      checkpointer,
      workerId: config.workerId,
      clock: this.clock,
      logger,
      failoverTimeMillis: config.failoverTimeMillis,
      validityMillis: this.timing.validityMillis,
      onElected: () => this.leaderTask.trigger(),
      onDeposed: (reason) => this.onDeposed(reason),
    });
    this.discovery = new OwnedLeaseDiscovery({
      checkpointer,
      workerId: config.workerId,
      registry,
      clock: this.clock,
      logger,
      heldIds: () => new Set(this.held.keys()),
      endedLocally: () => this.endedLocally,
      foreignTokens: () => this.foreignTokens,
      onTaken: (shard, startedAt) => {
        this.lastAdoptedAt = this.clock();
        this.onTaken(shard, startedAt);
      },
      onError: (error, shardId) => this.reportError(error, 'adoptLease', shardId),
    });
    this.assigner = new LeaseAssigner({
      checkpointer,
      workerId: config.workerId,
      clock: this.clock,
      logger,
      taker: this.taker,
      observer: this.observer,
      liveness: new WorkerLiveness(config.failoverTimeMillis, this.clock),
      failoverTimeMillis: config.failoverTimeMillis,
      maxLeasesForWorker: config.maxLeasesForWorker,
      balance: config.enableLeaseStealing,
      balanceIntervalMillis: config.leaseStealingIntervalMillis,
      heldIds: () => new Set(this.held.keys()),
      isLeader: () => this.election.isLeader(),
      inheritedFrom: () => this.election.inheritedFrom(),
      adoptOwn: (ids) => this.discovery.adopt(ids),
      onError: (error, shardId, operation) => this.reportError(error, operation, shardId),
    });
    this.membershipTask = new PeriodicTask({
      run: () => this.membershipTick(),
      intervalMillis: () => jittered(this.timing.renewIntervalMillis, 0.8, 1, this.random),
      onError: (error) => this.reportError(error, 'leaderElection'),
    });
    this.leaderTask = new PeriodicTask({
      run: () => this.leaderPass(),
      intervalMillis: () => jittered(this.timing.takeIntervalMillis, 0.8, 1, this.random),
      onError: (error) => this.reportError(error, 'assignLeases'),
    });
    this.discoveryTask = new PeriodicTask({
      run: () => this.discoveryPass(),
      intervalMillis: () => this.discoveryIntervalMillis(),
      onError: (error) => this.reportError(error, 'listOwnedLeases'),
    });
  }

  /**
   * Runs the first take pass at once (its failure is reported, not thrown: the loop retries) and starts the loops.
   * Resolves when the first pass is done, so consumers for the first leases are already starting.
   */
  async start(): Promise<void> {
    // Registered first, so the leader counts this worker in its next round.
    await this.membershipTick();
    let hint: number | void = undefined;
    try {
      hint = await this.takePass();
    } catch (error) {
      this.reportError(error, 'takeLeases');
    }
    this.membershipTask.start();
    // The start pass just read the table: the leader's first round comes one interval later (or at the first expiry).
    this.leaderTask.start(Math.min(hint ?? Infinity, jittered(this.timing.takeIntervalMillis, 0.8, 1, this.random)));
    this.discoveryTask.start(this.timing.renewRetryMillis);
  }

  /** Asks for a leader round as soon as possible (a shard ended, children may be ready). */
  triggerTakePass(): void {
    this.leaderTask.trigger();
    this.discoveryTask.trigger();
  }

  /** True while this worker holds the leader role (tests, diagnostics; the leader runs the lease cleanup). */
  isLeader(): boolean {
    return this.election.isLeader();
  }

  /** This worker's share as last known: from the start pass, or from the leader's plan. */
  get target(): number {
    return this.knownTarget;
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

  /**
   * Shards this worker saw end (their SHARD_END leases are kept, not renewed) and that the last lease table read did
   * not yet show at SHARD_END.
   */
  get endedShards(): ReadonlySet<string> {
    return this.endedLocally;
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
   * The consumer of `shardId` stopped with REQUESTED (shutdown or hand-off). A hand-off goes straight to the claiming
   * worker with `transferLease` (fenced by the token of this tenure; the lease stays owned all along, so nobody else
   * can take it in between); otherwise the lease is released with removeLeaseOwner (fenced the same way) so another
   * worker can take it at once. Never rejects; a release that fails is left to expire.
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
    const { workerId } = this.options.config;
    const claimer = reason === 'handoff' ? handle.shard.claimRequest : undefined;
    let transfer = claimer !== undefined && claimer !== workerId;
    for (let attempt = 1; token !== undefined; attempt++) {
      try {
        if (transfer) await this.options.checkpointer.transferLease(shardId, token, workerId, claimer as string);
        else await this.options.checkpointer.removeLeaseOwner(shardId, token);
        break;
      } catch (error) {
        if (isKclError(error) && (error.code === 'LEASE_LOST' || error.code === 'LEASE_NOT_ACQUIRED')) break;
        if (transfer && attempt >= 3) {
          // The store cannot hand it over: release it instead (the leader assigns it again).
          this.options.logger.warn('handing a lease over failed; releasing it instead', { shardId, error });
          transfer = false;
          attempt = 0;
          continue;
        }
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

  /** Stops taking, assigning and looking for assigned leases (shutdown step 1). Resolves once passes in progress end. */
  async stopAcquiring(): Promise<void> {
    await Promise.all([this.membershipTask.stop(), this.leaderTask.stop(), this.discoveryTask.stop()]);
    this.election.stop();
  }

  /**
   * Leaves the fleet (graceful shutdown, after {@link stopAcquiring}): gives the leader role up (others take it at
   * once) and deletes this worker's registry entry. Never rejects.
   */
  async leave(): Promise<void> {
    await this.election.release();
    try {
      await this.options.checkpointer.removeWorker(this.options.config.workerId);
    } catch (error) {
      this.options.logger.warn('removing this worker from the registry failed; the leader removes it later', { error });
    }
  }

  /** Stops every renewal (shutdown, after the consumers stopped). */
  stopRenewing(): void {
    this.election.stop();
    this.renewer.stopAll();
  }

  /** The start pass: one read of the table, new and unowned leases taken up to the fair share at once. */
  private async takePass(): Promise<number | void> {
    if (this.taking) return;
    this.taking = true;
    try {
      const result = await this.taker.pass(!this.election.coolingDown());
      this.noteForeignTokens();
      this.knownTarget = result.assessment.target;
      this.pruneEndedLocally();
      return result.recheckInMillis;
    } finally {
      this.taking = false;
    }
  }

  /**
   * Leases the first table read showed under this worker id belong to a former incarnation (a restarted process): they
   * are never adopted as assigned; they expire and are assigned again with a new token, as anyone else's.
   */
  private noteForeignTokens(): void {
    if (this.foreignTokensRead) return;
    const snapshot = this.taker.lastSnapshot;
    if (!snapshot) return;
    this.foreignTokensRead = true;
    const { workerId } = this.options.config;
    for (const lease of snapshot.leases.values()) {
      if (lease.assignedTo === workerId && lease.leaseToken !== undefined && this.held.get(lease.id)?.shard.leaseToken !== lease.leaseToken) {
        this.foreignTokens.add(lease.leaseToken);
      }
    }
  }

  /** Heartbeat, then the leader election. Failures are reported; the next tick tries again. */
  private async membershipTick(): Promise<void> {
    const { checkpointer, config } = this.options;
    const wasLeader = this.election.isLeader();
    await Promise.all([
      checkpointer.heartbeat(config.workerId).catch((error: unknown) => this.reportError(error, 'heartbeat')),
      this.election.tick().catch((error: unknown) => this.reportError(error, 'leaderElection')),
    ]);
    if (!wasLeader && this.election.isLeader()) this.leaderTask.trigger();
  }

  private async leaderPass(): Promise<number | void> {
    if (!this.election.isLeader()) return;
    if (!this.foreignTokensRead) await this.takePass();
    const result = await this.assigner.pass();
    this.noteForeignTokens();
    if (result.ownTarget !== undefined) this.knownTarget = result.ownTarget;
    this.pruneEndedLocally();
    return result.recheckInMillis;
  }

  private async discoveryPass(): Promise<void> {
    if (this.election.isLeader() || !this.foreignTokensRead) {
      if (!this.foreignTokensRead && !this.election.isLeader()) await this.takePass();
      return;
    }
    if (this.election.coolingDown()) return;
    await this.discovery.pass();
  }

  private discoveryIntervalMillis(): number {
    const refresh = this.timing.takeIntervalMillis;
    const fast = Math.min(FAST_DISCOVERY_MILLIS, refresh);
    const recent = this.lastAdoptedAt !== undefined && this.clock() - this.lastAdoptedAt < this.timing.failoverTimeMillis;
    return jittered(this.activeCount() < this.knownTarget || recent ? fast : refresh, 0.8, 1, this.random);
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
    handle.validWhile = () => this.election.roleIntact();
    this.held.set(shard.id, handle);
    this.renewer.track(handle);
    this.safe(() => monitoring.leaseGained(shard.id));
    logger.debug('lease acquired', { shardId: shard.id });
    this.safe(() => listener.leaseAcquired(handle));
  }

  /**
   * The leader role was lost without a release: every lease is given up at once (its consumer stops), because the next
   * leader may take them without waiting for them to expire (LeaderElection.inheritedFrom).
   */
  private onDeposed(reason: DeposeReason): void {
    this.assigner.reset();
    if (reason === 'released') return;
    for (const handle of this.heldLeases()) {
      if (handle.state === 'active') this.giveUp(handle.shardId, 'expired');
    }
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

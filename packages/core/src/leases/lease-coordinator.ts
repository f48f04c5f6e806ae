import { setTimeout as delay } from 'node:timers/promises';
import type { Checkpointer } from '../checkpoint/checkpointer';
import { SHARD_END, type ShardStatus } from '../checkpoint/shard-status';
import type { KinesisClientLibConfig } from '../config/kcl-config';
import { isKclError } from '../errors';
import type { Logger } from '../logger/logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import type { ShardRegistry } from '../shards/shard-registry';
import { fullJitterDelay } from '../internal/backoff';
import { jittered, PeriodicTask } from '../internal/periodic-task';
import { HeldLease, type LeaseLostReason } from './held-lease';
import { FleetLoops, supportsCoordination } from './fleet-loops';
import type { DeposeReason } from './leader-election';
import { LeaseObserver } from './lease-observer';
import { LeaseRenewer } from './lease-renewer';
import type { LeaseAssessment } from './lease-assessment';
import { LeaseTaker, type TakePassResult } from './lease-taker';
import { computeLeaseTiming, type LeaseTiming } from './lease-timing';
import { systemMonotonicClock, type MonotonicClock } from './monotonic-clock';
import { judgeWaitSituation, WaitExplainer } from './wait-explainer';

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
 * - Start: registers the worker, looks at the leader role, reads the lease table once and takes new and unowned
 *   leasable leases up to the fair share at once.
 * - Then the fleet loops ({@link FleetLoops}): heartbeat and leader election; the leader assigns and balances, every
 *   other worker only reads its own leases. A lease claimed for another worker is handed over with `transferLease`
 *   after the consumer's REQUESTED shutdown.
 * - The renewer keeps held leases alive (one scheduler for all of them).
 * - A store without the fleet-coordination methods (written for an older contract): every worker runs the take pass
 *   every `leaseRefreshPeriodMillis` instead, as before, without balancing.
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
  /** Undefined when the store lacks the fleet-coordination methods (then {@link legacyTask} runs). */
  private readonly fleet: FleetLoops | undefined;
  private readonly legacyTask: PeriodicTask | undefined;
  private taking = false;
  private readonly waitExplainer: WaitExplainer;
  /** `readAt` of the table read last explained (a read is explained once). */
  private explainedReadAt: number | undefined;

  constructor(options: LeaseCoordinatorOptions) {
    this.options = options;
    const { config, checkpointer, logger, registry, monitoring } = options;
    this.clock = options.clock ?? systemMonotonicClock;
    this.random = options.random ?? Math.random;
    this.timing = computeLeaseTiming(config.failoverTimeMillis, config.leaseRefreshPeriodMillis);
    this.waitExplainer = new WaitExplainer(logger);
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
    if (supportsCoordination(checkpointer)) {
      this.fleet = new FleetLoops({
        checkpointer,
        config,
        registry,
        logger,
        clock: this.clock,
        random: this.random,
        timing: this.timing,
        taker: this.taker,
        observer: this.observer,
        takePass: (mayTake) => this.takePass(mayTake),
        held: () => this.held,
        endedLocally: () => this.endedLocally,
        activeCount: () => this.activeCount(),
        onTaken: (shard, startedAt) => this.onTaken(shard, startedAt),
        onDeposed: (reason) => this.onDeposed(reason),
        afterRead: () => {
          this.pruneEndedLocally();
          this.explainWaiting();
        },
        reportError: (error, operation, shardId) => this.reportError(error, operation, shardId),
      });
    } else {
      logger.warn(
        'the lease store has no fleet-coordination methods (an older contract): every worker reads the lease table each refresh period, without balancing',
      );
      this.legacyTask = new PeriodicTask({
        run: async () => (await this.takePass(true))?.recheckInMillis,
        intervalMillis: () => jittered(this.timing.takeIntervalMillis, 0.8, 1, this.random),
        onError: (error) => this.reportError(error, 'takeLeases'),
      });
    }
  }

  /**
   * Runs the first take pass at once (its failure is reported, not thrown: the loop retries) and starts the loops.
   * Resolves when the first pass is done, so consumers for the first leases are already starting.
   */
  async start(): Promise<void> {
    // Registered first, so the leader counts this worker in its next round.
    await this.fleet?.join();
    let hint: number | undefined;
    try {
      hint = (await this.takePass(this.fleet?.mayTake() ?? true))?.recheckInMillis;
    } catch (error) {
      this.reportError(error, 'takeLeases');
    }
    // The start pass just read the table: the next read comes one interval later (or at the first expiry).
    const next = Math.min(hint ?? Infinity, jittered(this.timing.takeIntervalMillis, 0.8, 1, this.random));
    this.fleet?.start(next);
    this.legacyTask?.start(next);
  }

  /** Asks for a leader round (or take pass) as soon as possible (a shard ended, children may be ready). */
  triggerTakePass(): void {
    this.fleet?.trigger();
    this.legacyTask?.trigger();
  }

  /**
   * True while this worker holds the leader role (tests, diagnostics; the leader runs the lease cleanup). Always true
   * with a store without fleet coordination (every worker then reads the table and may clean up).
   */
  isLeader(): boolean {
    return this.fleet ? this.fleet.election.isLeader() : true;
  }

  /** This worker's share as last known: from the start pass, or from the leader's plan. */
  get target(): number {
    return this.fleet?.target ?? 0;
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
   * worker can take it at once. A failed write is tried up to 3 times, waiting a full-jitter back-off (base
   * `renewRetryMillis`, capped at `renewIntervalMillis`) in between. Never rejects; a release that fails is left to expire.
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
        // Full-jitter back-off (the one in internal/backoff), so workers releasing together do not retry in step.
        await delay(fullJitterDelay(attempt, this.timing.renewRetryMillis, this.timing.renewIntervalMillis));
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
    await Promise.all([this.fleet?.stop(), this.legacyTask?.stop()]);
  }

  /**
   * Leaves the fleet (graceful shutdown, after {@link stopAcquiring}): gives the leader role up (others take it at
   * once) and deletes this worker's registry entry. Never rejects.
   */
  async leave(): Promise<void> {
    await this.fleet?.leave();
  }

  /** Releases leases assigned to this worker that it never adopted (shutdown, after the consumers stopped). */
  async releaseUnadopted(keep: readonly string[]): Promise<void> {
    await this.fleet?.releaseUnadopted(keep);
  }

  /** Stops every renewal (shutdown, after the consumers stopped). */
  stopRenewing(): void {
    this.fleet?.election.stop();
    this.renewer.stopAll();
  }

  /** A take pass: one read of the table, new and unowned leases taken up to the fair share at once. */
  private async takePass(mayTake: boolean): Promise<TakePassResult | undefined> {
    if (this.taking) return undefined;
    this.taking = true;
    try {
      const result = await this.taker.pass(mayTake);
      this.fleet?.noteTakePass(result);
      this.pruneEndedLocally();
      this.explainWaiting(result.assessment);
      return result;
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

  /**
   * Logs why this worker waits for leases, when that changed (wait-explainer.ts), from the last lease table read (a
   * take pass or a leader round; nothing is read for it). Only when the last pass read the table.
   */
  private explainWaiting(assessment?: LeaseAssessment): void {
    const snapshot = this.taker.lastSnapshot;
    if (!snapshot || snapshot.readAt === this.explainedReadAt) return;
    this.explainedReadAt = snapshot.readAt;
    const heldTokens = new Map<string, string | undefined>();
    for (const [id, handle] of this.held) heldTokens.set(id, handle.shard.leaseToken);
    const fleet = this.fleet;
    this.waitExplainer.note(
      judgeWaitSituation({
        workerId: this.options.config.workerId,
        snapshot,
        assessment: assessment ?? this.taker.assess(snapshot),
        observer: this.observer,
        heldTokens,
        activeHeld: this.activeCount(),
        isForeignToken: fleet ? (token) => fleet.isForeignToken(token) : undefined,
      }),
    );
  }

  /** The leader-role condition of every held lease's validity (one function, shared by all of them). */
  private readonly roleIntact = (): boolean => this.fleet?.election.roleIntact() ?? true;

  private onTaken(shard: ShardStatus, startedAt: number): void {
    const { config, monitoring, listener, logger } = this.options;
    const handle = new HeldLease(shard, startedAt, this.timing.validityMillis, this.clock, config.workerId);
    if (this.fleet) handle.validWhile = this.roleIntact;
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

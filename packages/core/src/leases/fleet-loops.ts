import type { Checkpointer } from '../checkpoint/checkpointer';
import { createShardStatus, type ShardStatus } from '../checkpoint/shard-status';
import type { Logger } from '../logger/logger';
import type { ShardRegistry } from '../shards/shard-registry';
import { jittered, PeriodicTask } from '../internal/periodic-task';
import { LEASE_WRITE_CONCURRENCY, mapBounded } from './bounded-concurrency';
import type { HeldLease } from './held-lease';
import { LeaderElection, type DeposeReason } from './leader-election';
import { LeaseAssigner } from './lease-assigner';
import type { LeaseObserver } from './lease-observer';
import type { LeaseConfig } from './lease-coordinator';
import type { LeaseTaker, TakePassResult } from './lease-taker';
import type { LeaseTiming } from './lease-timing';
import type { MonotonicClock } from './monotonic-clock';
import { OwnedLeaseDiscovery } from './owned-lease-discovery';
import { WorkerLiveness } from './worker-liveness';

/** Fastest own-leases read while a worker is below its target (hand-offs are picked up quickly). */
export const FAST_DISCOVERY_MILLIS = 500;

/** The store methods of fleet coordination; a store without them runs every worker's take loop instead. */
const COORDINATION_METHODS = [
  'heartbeat',
  'removeWorker',
  'listWorkers',
  'getCoordinatorLease',
  'takeCoordinatorLease',
  'renewCoordinatorLease',
  'releaseCoordinatorLease',
  'listOwnedLeases',
  'transferLease',
] as const;

/** True when `checkpointer` has every fleet-coordination method (a store written for an older contract may not). */
export function supportsCoordination(checkpointer: Checkpointer): boolean {
  const record = checkpointer as unknown as Record<string, unknown>;
  return COORDINATION_METHODS.every((method) => typeof record[method] === 'function');
}

export interface FleetLoopsOptions {
  checkpointer: Checkpointer;
  config: LeaseConfig;
  registry: ShardRegistry;
  logger: Logger;
  clock: MonotonicClock;
  random: () => number;
  timing: LeaseTiming;
  taker: LeaseTaker;
  observer: LeaseObserver;
  /** The coordinator's take pass (read the table once, take up to the share unless `mayTake` is false). */
  takePass: (mayTake: boolean) => Promise<TakePassResult | undefined>;
  held: () => ReadonlyMap<string, HeldLease>;
  endedLocally: () => ReadonlySet<string>;
  activeCount: () => number;
  onTaken: (shard: ShardStatus, startedAt: number) => void;
  onDeposed: (reason: DeposeReason) => void;
  /** After each leader round and own-leases read: forget shards ended here that are settled. */
  afterRead: () => void;
  reportError: (error: unknown, operation: string, shardId?: string) => void;
}

/**
 * The periodic loops of fleet coordination (docs/design/fleet-coordination.md) for one worker:
 * - every renewal interval: the heartbeat (worker registry) and the leader election ({@link LeaderElection});
 * - the leader, every `leaseRefreshPeriodMillis` (and early when an observed lease is about to expire or a shard
 *   ended): reads the table and the registry, assigns and balances ({@link LeaseAssigner});
 * - every other worker: reads only its own leases ({@link OwnedLeaseDiscovery}), every `leaseRefreshPeriodMillis`, or
 *   every `min(500 ms, leaseRefreshPeriodMillis)` while below the target of its start pass (for two failover times at
 *   most: the fleet may have grown since) or within a failover time of its last new lease (hand-offs come in bursts).
 */
export class FleetLoops {
  readonly election: LeaderElection;
  private readonly options: FleetLoopsOptions;
  private readonly assigner: LeaseAssigner;
  private readonly discovery: OwnedLeaseDiscovery;
  private readonly membershipTask: PeriodicTask;
  private readonly leaderTask: PeriodicTask;
  private readonly discoveryTask: PeriodicTask;
  private readonly foreignTokens = new Set<string>();
  private foreignTokensRead = false;
  /** This worker's share as last known (start pass, or the leader's plan). */
  private knownTarget = 0;
  /** When a non-leader last learnt its target (its start pass): the target goes stale as the fleet grows. */
  private targetLearntAt: number | undefined;
  private lastAdoptedAt: number | undefined;

  constructor(options: FleetLoopsOptions) {
    this.options = options;
    const { checkpointer, config, logger, clock, random, timing } = options;
    const heldIds = (): ReadonlySet<string> => new Set(options.held().keys());
    this.election = new LeaderElection({
      checkpointer,
      workerId: config.workerId,
      clock,
      logger,
      failoverTimeMillis: config.failoverTimeMillis,
      validityMillis: timing.validityMillis,
      onElected: () => this.leaderTask.trigger(),
      onDeposed: (reason) => {
        this.assigner.reset();
        options.onDeposed(reason);
      },
    });
    this.discovery = new OwnedLeaseDiscovery({
      checkpointer,
      workerId: config.workerId,
      registry: options.registry,
      clock,
      logger,
      heldIds,
      endedLocally: options.endedLocally,
      foreignTokens: () => this.foreignTokens,
      onTaken: (shard, startedAt) => {
        this.lastAdoptedAt = clock();
        options.onTaken(shard, startedAt);
      },
      onError: (error, shardId) => options.reportError(error, 'adoptLease', shardId),
    });
    this.assigner = new LeaseAssigner({
      checkpointer,
      workerId: config.workerId,
      clock,
      logger,
      taker: options.taker,
      observer: options.observer,
      liveness: new WorkerLiveness(config.failoverTimeMillis, clock),
      failoverTimeMillis: config.failoverTimeMillis,
      maxLeasesForWorker: config.maxLeasesForWorker,
      balance: config.enableLeaseStealing,
      balanceIntervalMillis: config.leaseStealingIntervalMillis,
      heldIds,
      isLeader: () => this.election.isLeader(),
      inheritedFrom: () => this.election.inheritedFrom(),
      adoptOwn: (ids) => this.discovery.adopt(ids),
      onError: (error, shardId, operation) => options.reportError(error, operation, shardId),
    });
    this.membershipTask = new PeriodicTask({
      run: () => this.membershipTick(),
      intervalMillis: () => jittered(timing.renewIntervalMillis, 0.8, 1, random),
      onError: (error) => options.reportError(error, 'leaderElection'),
    });
    this.leaderTask = new PeriodicTask({
      run: () => this.leaderPass(),
      intervalMillis: () => jittered(timing.takeIntervalMillis, 0.8, 1, random),
      onError: (error) => options.reportError(error, 'assignLeases'),
    });
    this.discoveryTask = new PeriodicTask({
      run: () => this.discoveryPass(),
      intervalMillis: () => this.discoveryIntervalMillis(),
      onError: (error) => options.reportError(error, 'listOwnedLeases'),
    });
  }

  /** This worker's share as last known: from the start pass, or from the leader's plan. */
  get target(): number {
    return this.knownTarget;
  }

  /** Whether the start pass may take leases (not while a deposed leader cools down, see LeaderElection). */
  mayTake(): boolean {
    return !this.election.coolingDown();
  }

  /** True for the token of a lease a former incarnation of this worker id held (read at start). */
  isForeignToken(token: string): boolean {
    return this.foreignTokens.has(token);
  }

  /** Records what a take pass learnt (the first read: a former incarnation's tokens; the share). */
  noteTakePass(result: TakePassResult): void {
    this.noteForeignTokens();
    this.knownTarget = result.assessment.target;
    this.targetLearntAt = this.options.clock();
  }

  /**
   * Registers this worker, looks at the leader role and starts the heartbeat and election loop at once, before the
   * start pass: a start pass that takes thousands of leases can outlast the role's validity, and a leader whose role
   * lapsed gives every lease up.
   */
  async join(): Promise<void> {
    await this.membershipTick();
    this.membershipTask.start();
  }

  /** Starts the other loops; the leader's first round after `firstLeaderRoundMillis` (the start pass just read the table). */
  start(firstLeaderRoundMillis: number): void {
    this.membershipTask.start(); // already running after join(); a no-op then
    this.leaderTask.start(firstLeaderRoundMillis);
    this.discoveryTask.start(this.options.timing.renewRetryMillis);
  }

  /** A shard ended: the leader assigns its children at once; others look for leases sooner. */
  trigger(): void {
    this.leaderTask.trigger();
    this.discoveryTask.trigger();
  }

  /** Stops every loop; resolves once passes in progress end. */
  async stop(): Promise<void> {
    await Promise.all([this.membershipTask.stop(), this.leaderTask.stop(), this.discoveryTask.stop()]);
    this.election.stop();
  }

  /** Gives the leader role up and deletes this worker's registry entry (graceful shutdown). Never rejects. */
  async leave(): Promise<void> {
    await this.election.release();
    try {
      await this.options.checkpointer.removeWorker(this.options.config.workerId);
    } catch (error) {
      this.options.logger.warn('removing this worker from the registry failed; the leader removes it later', { error });
    }
  }

  /**
   * Shutdown, after the consumers stopped: releases the leases assigned or handed to this worker that it never adopted
   * (a leader round or a hand-off that landed while it was leaving), so they do not wait a failover time for the
   * leader. Leases of a former incarnation (foreign tokens) and `keep` (consumers abandoned still running) are left to
   * expire. Never rejects.
   */
  async releaseUnadopted(keep: readonly string[]): Promise<void> {
    const { checkpointer, config, logger } = this.options;
    try {
      const held = this.options.held();
      const owned = await checkpointer.listOwnedLeases(config.workerId);
      await mapBounded(
        owned.filter((o) => !held.has(o.shardId) && !keep.includes(o.shardId)),
        LEASE_WRITE_CONCURRENCY,
        async ({ shardId }) => {
          const shard = createShardStatus(shardId);
          await checkpointer.fetchCheckpoint(shard).catch(() => undefined);
          const token = shard.leaseToken;
          if (shard.assignedTo !== config.workerId || token === undefined || this.foreignTokens.has(token)) return;
          await checkpointer.removeLeaseOwner(shardId, token);
          logger.info('lease assigned while leaving released', { shardId });
        },
      );
    } catch (error) {
      logger.warn('releasing leases assigned while leaving failed; they expire', { error });
    }
  }

  /**
   * Leases the first table read showed under this worker id belong to a former incarnation (a restarted process): they
   * are never adopted as assigned; they expire and are assigned again with a new token, as anyone else's.
   */
  private noteForeignTokens(): void {
    if (this.foreignTokensRead) return;
    const snapshot = this.options.taker.lastSnapshot;
    if (!snapshot) return;
    this.foreignTokensRead = true;
    const { workerId } = this.options.config;
    const held = this.options.held();
    for (const lease of snapshot.leases.values()) {
      if (lease.assignedTo === workerId && lease.leaseToken !== undefined && held.get(lease.id)?.shard.leaseToken !== lease.leaseToken) {
        this.foreignTokens.add(lease.leaseToken);
      }
    }
  }

  /** Heartbeat and the leader election, in parallel. Failures are reported; the next tick tries again. */
  private async membershipTick(): Promise<void> {
    const { checkpointer, config, reportError } = this.options;
    const wasLeader = this.election.isLeader();
    await Promise.all([
      checkpointer.heartbeat(config.workerId).catch((error: unknown) => reportError(error, 'heartbeat')),
      this.election.tick().catch((error: unknown) => reportError(error, 'leaderElection')),
    ]);
    if (!wasLeader && this.election.isLeader()) this.leaderTask.trigger();
  }

  private async leaderPass(): Promise<number | void> {
    if (!this.election.isLeader()) return;
    if (!this.foreignTokensRead) await this.options.takePass(this.mayTake());
    const result = await this.assigner.pass();
    this.noteForeignTokens();
    if (result.ownTarget !== undefined) {
      this.knownTarget = result.ownTarget;
      this.targetLearntAt = this.options.clock();
    }
    this.options.afterRead();
    return result.recheckInMillis;
  }

  private async discoveryPass(): Promise<void> {
    if (this.election.isLeader()) return;
    // The start pass failed: read the table once more (start-up is not complete before that).
    if (!this.foreignTokensRead) {
      await this.options.takePass(this.mayTake());
      return;
    }
    if (this.election.coolingDown()) return;
    await this.discovery.pass();
    // Keeps the shards ended here bounded (those gone from the stream are forgotten).
    this.options.afterRead();
  }

  private discoveryIntervalMillis(): number {
    const { timing, clock, random } = this.options;
    const refresh = timing.takeIntervalMillis;
    const fast = Math.min(FAST_DISCOVERY_MILLIS, refresh);
    const now = clock();
    const recent = this.lastAdoptedAt !== undefined && now - this.lastAdoptedAt < timing.failoverTimeMillis;
    // A target learnt at start goes stale when more workers join (the leader's plan is not sent to non-leaders): being
    // below it counts only for two failover times, or a worker would read its own leases every 500 ms for good.
    const targetFresh = this.targetLearntAt !== undefined && now - this.targetLearntAt < 2 * timing.failoverTimeMillis;
    const below = this.options.activeCount() < this.knownTarget && targetFresh;
    return jittered(below || recent ? fast : refresh, 0.8, 1, random);
  }
}

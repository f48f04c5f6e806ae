import { setMaxListeners } from 'node:events';
import type { WithCheckpointerOptions, WorkerOptions, WorkerState } from './worker-options';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Checkpointer } from '../checkpoint/checkpointer';
import type { KinesisClientLibConfig } from '../config/kcl-config';
import { InvalidArgumentError, isKclError, WorkerStateError } from '../errors';
import { createKinesisClient } from '../kinesis/client-factory';
import { LeanGetRecords } from '../kinesis/lean-get-records';
import { LeaseCoordinator } from '../leases/lease-coordinator';
import { systemMonotonicClock } from '../leases/monotonic-clock';
import type { Logger } from '../logger/logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import type { RecordProcessorFactory } from '../processor/record-processor';
import { retry } from '../retry';
import { ShardRegistry } from '../shards/shard-registry';
import { ShardSync } from '../shards/shard-sync';
import { createDynamoCheckpointerLoader } from './backend-loader';
import { prepareShardConsumerFactory, resolveShardConsumerFactory } from './default-consumer-factory';
import { jittered, PeriodicTask } from '../internal/periodic-task';
import { raceTimeout, settleWithin } from '../internal/timeout';
import { createCheckedProcessor } from './processor-check';
import { safeLogger } from './safe-logger';
import { ShardConsumerRunner } from './shard-consumer-runner';
import { ShardActivity } from '../consumers/shard-activity';
import { LeaseStoreHealthTracker } from './lease-store-health';
import { createStatusLogTask } from './status-log';
import { heldLeaseStatuses, type WorkerStatus } from './worker-status';
import { streamNotFoundError } from './stream-check';
import { instrumentCheckpointer } from './instrumented-checkpointer';
import { iteratorCallLimit, KinesisCallGate } from '../consumers/kinesis-call-gate';
import { trackCheckpointerCalls, type TrackedCheckpointer } from './tracked-checkpointer';
import { TypedEventEmitter, type WorkerEvents } from './worker-events';

/** Attempts of the first ListShards in `start()` before it gives up (transient errors only). */
const START_SYNC_RETRIES = 3;

/**
 * Consumes a Kinesis stream with many workers sharing its shards through leases (go-kcl's `Worker`).
 *
 * ```ts
 * const worker = new Worker(factory, config).withCheckpointer(checkpointer);
 * worker.on('leaseLost', ({ shardId, reason }) => log(shardId, reason));
 * await worker.start();   // resolves once leases are taken and consumers run
 * await worker.shutdown(); // graceful: last checkpoint (REQUESTED), leases released
 * ```
 *
 * Listeners of the typed events ({@link WorkerEvents}) may throw or reject: that is logged and never crashes the
 * worker. A failing processor never crashes it either (its batch is retried).
 */
export class Worker extends TypedEventEmitter<WorkerEvents> {
  private readonly factory: RecordProcessorFactory;
  private readonly config: KinesisClientLibConfig;
  private readonly options: WorkerOptions;
  private kinesis: KinesisClient | undefined;
  private checkpointer: Checkpointer | undefined;
  private closeInjectedCheckpointer = true;
  private stateValue: WorkerState = 'new';
  private startPromise: Promise<void> | undefined;
  private shutdownPromise: Promise<void> | undefined;
  private run: RunningParts | undefined;
  private startAbandoned = false;
  private readonly activity: ShardActivity;
  private readonly storeHealth = new LeaseStoreHealthTracker();

  /**
   * @param factory creates one RecordProcessor per shard lease taken
   * @param config the application's configuration (validated again in `start()`)
   */
  constructor(factory: RecordProcessorFactory, config: KinesisClientLibConfig, options: WorkerOptions = {}) {
    super(() => (config?.logger ? safeLogger(config.logger) : undefined));
    if (!factory || typeof factory.createProcessor !== 'function') {
      throw new InvalidArgumentError('Worker needs a RecordProcessorFactory: an object with a createProcessor() method');
    }
    if (!config || typeof config !== 'object') throw new InvalidArgumentError('Worker needs a KinesisClientLibConfig');
    this.factory = factory;
    this.config = config;
    this.options = options;
    this.activity = new ShardActivity(options.clock ?? systemMonotonicClock);
  }

  /**
   * Uses this Kinesis client instead of building one from the config (`createKinesisClient`). The worker never
   * destroys an injected client. `undefined` restores the default.
   */
  withKinesis(client?: KinesisClient): this {
    this.assertNotStarted('withKinesis');
    this.kinesis = client;
    return this;
  }

  /**
   * Uses this lease store instead of the default DynamoDB one (`@kcl/checkpoint-dynamodb`, loaded lazily).
   * `undefined` restores the default.
   *
   * The worker closes the checkpointer when it stops (end of `shutdown()`, or a `start()` that failed after the
   * store's `init()` succeeded), so `await worker.shutdown()` leaves no open connection and the process can exit by
   * itself. Pass `{ closeOnShutdown: false }` for a checkpointer shared between workers and close it yourself.
   */
  withCheckpointer(checkpointer?: Checkpointer, options: WithCheckpointerOptions = {}): this {
    this.assertNotStarted('withCheckpointer');
    this.checkpointer = checkpointer;
    this.closeInjectedCheckpointer = options.closeOnShutdown ?? true;
    return this;
  }

  /** Where the worker is in its life. */
  get state(): WorkerState {
    return this.stateValue;
  }

  /** This worker's id (`config.workerId`). */
  get workerId(): string {
    return this.config.workerId;
  }

  /** Shards whose lease this worker holds right now (sorted). */
  heldShards(): string[] {
    if (!this.run?.coordinator) return [];
    return this.run.coordinator
      .heldLeases()
      .filter((l) => l.state === 'active')
      .map((l) => l.shardId)
      .sort();
  }

  /**
   * What this worker is doing right now: its state, whether it leads the fleet, the lease store's health (from the
   * outcome of its own calls) and, per lease held, the checkpoint, MillisBehindLatest, records per second, the time of
   * the last batch, and whether the processor is stuck (a call running longer than `logWarningForTaskAfterMillis`) or
   * failing (retried after a back-off). Built from state the worker keeps anyway: no lease-store or Kinesis read.
   * Callable in every state (no leases before start and after stop).
   */
  status(): WorkerStatus {
    const coordinator = this.run?.coordinator;
    const running = this.stateValue === 'running' || this.stateValue === 'shuttingDown';
    return {
      workerId: this.config.workerId,
      state: this.stateValue,
      leader: coordinator !== undefined && running ? coordinator.isLeader() : false,
      leaseStore: this.storeHealth.snapshot(),
      leases: coordinator ? heldLeaseStatuses(coordinator.heldLeases(), this.activity) : [],
    };
  }

  /**
   * Validates the config, asks the factory for a first processor and checks its shape, initialises monitoring,
   * lists the shards (so a missing stream fails here, before the lease store is touched: no lease table is created
   * for a mistyped stream name), initialises the lease store, takes this worker's fair share of leases and starts
   * their consumers; resolves once that is done (records start flowing at once).
   *
   * The first processor is kept for the first lease taken (none is wasted). Every later one is checked too: a bad
   * one is reported in an `error` event (operation `createProcessor`) and its lease released.
   *
   * On failure everything started is stopped again (the lease store is closed if its `init()` had succeeded, see
   * {@link withCheckpointer}) and the worker can be started again (with a new checkpointer if it was closed and
   * cannot be initialised again).
   * @throws ConfigError for an invalid config
   * @throws InvalidRecordProcessorError when `createProcessor()` throws or returns no `processRecords` method
   * @throws StreamNotFoundError when the stream does not exist at the configured region / endpoint
   * @throws BackendNotInstalledError when no checkpointer was given and `@kcl/checkpoint-dynamodb` is not installed
   * @throws WorkerStateError when called twice or after `shutdown()`
   */
  start(): Promise<void> {
    if (this.stateValue !== 'new') {
      return Promise.reject(new WorkerStateError(`Worker.start() called while the worker is ${this.stateValue}; create a new Worker to start again`));
    }
    this.stateValue = 'starting';
    const promise = this.doStart().then(
      () => {
        this.stateValue = 'running';
      },
      async (error: unknown) => {
        await this.releaseResources(this.inFlightWaitMillis(CLOSE_TIMEOUT_MILLIS));
        this.run = undefined;
        this.stateValue = this.shutdownPromise ? 'stopped' : 'new';
        throw error;
      },
    );
    this.startPromise = promise;
    return promise;
  }

  /**
   * Graceful shutdown: stops taking leases, lets every consumer finish its batch and shut its processor down with
   * REQUESTED (a last checkpoint is possible), releases the leases so other workers take them at once, then shuts
   * monitoring down, waits for lease-store calls still in flight (a renewal started just before) and closes what the
   * worker created and the lease store (unless `withCheckpointer(c, { closeOnShutdown: false })`). Once it resolves
   * the worker holds no timer, socket or connection: a process with nothing else to do exits by itself. Bounded by
   * `config.shutdownGraceMillis`: consumers still running after it are abandoned (their leases expire after the
   * failover time). Calling it again returns the same promise. Never rejects.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown().catch((error: unknown) => {
      safeLogger(this.config.logger).error('worker shutdown failed', { error });
    });
    return this.shutdownPromise;
  }

  private assertNotStarted(method: string): void {
    if (this.stateValue !== 'new') throw new WorkerStateError(`Worker.${method}() must be called before start()`);
  }

  /** shutdown() was called while start() was still waiting (and gave up waiting): abandon the start. */
  private throwIfShutdownRequested(): void {
    if (this.startAbandoned) throw new WorkerStateError('shutdown() was called before start() finished');
  }

  private async doStart(): Promise<void> {
    const config = this.config;
    if (typeof (config as { validate?: unknown }).validate === 'function') config.validate();
    // Before any network call: a factory that cannot make a valid processor fails start() at once.
    const firstProcessor = createCheckedProcessor(this.factory);
    const consumerFactory = this.options.shardConsumerFactory ?? resolveShardConsumerFactory(config);
    const logger = safeLogger(config.logger).child({ workerId: config.workerId });
    const monitoring: MonitoringService = config.monitoringService;
    const clock = this.options.clock ?? systemMonotonicClock;
    const lifecycle = new AbortController();
    const shutdownController = new AbortController();
    // Every shard consumer listens on this signal (until it ends): no limit, or Node warns of a "possible EventTarget
    // memory leak" as soon as a worker runs more than 10 consumers.
    setMaxListeners(0, shutdownController.signal);

    const ownsKinesis = this.kinesis === undefined;
    const kinesis = this.kinesis ?? createKinesisClient(config);
    const leanGetRecords = ownsKinesis && this.options.leanGetRecords !== false ? new LeanGetRecords(kinesis) : undefined;
    const run: RunningParts = {
      logger,
      monitoring,
      kinesis,
      ownsKinesis,
      store: undefined,
      closeCheckpointer: false,
      lifecycle,
      shutdownController,
      monitoringInitialised: false,
    };
    this.run = run;
    // After `run` holds the client, so a throwing hook fails start() with the client destroyed.
    if (ownsKinesis) this.options.onKinesisClient?.(kinesis);

    let store: Checkpointer;
    let closeStore: boolean;
    if (this.checkpointer) {
      store = this.checkpointer;
      closeStore = this.closeInjectedCheckpointer;
    } else {
      const load = this.options.loadCheckpointer ?? createDynamoCheckpointerLoader();
      store = await load(config);
      closeStore = true;
    }
    // Every lease-store call goes through the tracked wrapper, so shutdown can wait for calls in flight.
    // ...and through the instrumented one, which reports call times, checkpoint failures and lease-store health to the
    // MonitoringService and keeps the health worker.status() reads.
    const tracked = trackCheckpointerCalls(instrumentCheckpointer(store, { monitoring, logger, clock, health: this.storeHealth }));
    run.store = { inner: store, tracked };
    this.throwIfShutdownRequested();
    const checkpointer = tracked.checkpointer;

    logger.info('worker starting', { streamName: config.streamName, applicationName: config.applicationName });
    await monitoring.init(config.applicationName, config.streamName, config.workerId);
    run.monitoringInitialised = true;

    const registry = new ShardRegistry();
    const shardSync = new ShardSync({
      kinesis,
      streamName: config.streamName,
      registry,
      logger,
      checkpointer,
      onCleanupError: (error, shardId) => this.emitSafely('error', { error, shardId, operation: 'leaseCleanup' }),
    });
    // The first Kinesis call comes before checkpointer.init(): a missing stream must not leave a lease table behind.
    try {
      await retry((_attempt, signal) => shardSync.sync(signal), {
        retries: START_SYNC_RETRIES,
        minDelayMillis: Math.min(200, config.taskBackoffTimeMillis),
        maxDelayMillis: Math.max(200, config.taskBackoffTimeMillis),
        signal: lifecycle.signal,
        operation: `ListShards(${config.streamName})`,
      });
    } catch (error) {
      throw (await streamNotFoundError(error, config, kinesis, !ownsKinesis)) ?? error;
    }
    this.throwIfShutdownRequested();

    // Once init() succeeded the store holds connections: a failed start from here on closes it (unless the user
    // opted out). A failed init() has closed what it opened itself, and the store can be initialised again by a
    // later start().
    await checkpointer.init();
    run.closeCheckpointer = closeStore;
    this.throwIfShutdownRequested();
    await monitoring.start();

    // Enhanced fan-out (consumers/fan-out-*): registers the stream consumer once per worker, before leases are taken,
    // so a registration failure fails start(). Does nothing for the polling consumer or an injected factory.
    await prepareShardConsumerFactory(consumerFactory, { kinesis, logger, signal: lifecycle.signal });
    this.throwIfShutdownRequested();

    const coordinator = new LeaseCoordinator({
      checkpointer,
      config,
      registry,
      logger,
      monitoring,
      clock,
      listener: {
        leaseAcquired: (handle) => runner.start(handle),
        leaseLost: (shardId, reason) => this.emitSafely('leaseLost', { shardId, reason }),
        error: (error, context) => this.emitSafely('error', { error, ...context }),
      },
    });
    const shardSyncTask = new PeriodicTask({
      run: async () => {
        // The leader's periodic sync also removes the leases of finished shards that were trimmed
        // (shards/lease-cleanup.ts); other workers never read the whole lease table after start.
        const added = await shardSync.sync(lifecycle.signal, { cleanUpLeases: coordinator.isLeader() });
        if (added.length > 0) coordinator.triggerTakePass();
      },
      intervalMillis: () => jittered(config.shardSyncIntervalMillis, 0.5, 1.5),
      onError: (error) => {
        if (lifecycle.signal.aborted) return;
        logger.warn('shard sync failed; retrying at the next interval', { error });
        this.emitSafely('error', { error, operation: 'shardSync' });
      },
    });
    const runner = new ShardConsumerRunner({
      config,
      kinesis,
      leanGetRecords,
      kinesisCallGate: new KinesisCallGate(config.maxConcurrentGetRecords),
      iteratorCallGate: new KinesisCallGate(iteratorCallLimit(config.maxConcurrentGetRecords)),
      checkpointer,
      monitoring,
      logger,
      processorFactory: this.factory,
      firstProcessor,
      consumerFactory,
      coordinator,
      registry,
      shutdownSignal: shutdownController.signal,
      emit: (event, payload) => this.emitSafely(event, payload),
      onShardEndWithoutChildren: () => shardSyncTask.trigger(),
      activity: this.activity,
    });
    run.coordinator = coordinator;
    run.runner = runner;
    run.shardSyncTask = shardSyncTask;

    await coordinator.start();
    this.throwIfShutdownRequested();
    shardSyncTask.start();
    run.statusLogTask = createStatusLogTask(() => this.status(), logger, config.statusLogIntervalMillis);
    run.statusLogTask?.start();
    logger.info('worker started', { leases: this.heldShards() });
  }

  private async doShutdown(): Promise<void> {
    if (this.stateValue === 'new' || this.stateValue === 'stopped') {
      this.stateValue = 'stopped';
      this.emitSafely('shutdown', {});
      return;
    }
    if (this.stateValue === 'starting') {
      // start() is bounded by the backends' own timeouts; do not wait longer than the grace period for it.
      const startOutcome = (this.startPromise ?? Promise.resolve()).then(
        () => 'started' as const,
        () => 'failed' as const,
      );
      const outcome = await raceTimeout(startOutcome, this.config.shutdownGraceMillis);
      if (outcome !== 'started') {
        if (outcome === 'timeout') {
          this.startAbandoned = true;
          safeLogger(this.config.logger).warn('shutdown: start() did not finish within the grace period; stopping what it started');
          await this.releaseResources(0);
        }
        this.stateValue = 'stopped';
        this.emitSafely('shutdown', {});
        return;
      }
    }
    this.stateValue = 'shuttingDown';
    const run = this.run;
    if (!run?.coordinator || !run.runner || !run.shardSyncTask) {
      await this.releaseResources(this.inFlightWaitMillis(CLOSE_TIMEOUT_MILLIS));
      this.stateValue = 'stopped';
      this.emitSafely('shutdown', {});
      return;
    }
    const { logger, coordinator, runner, shardSyncTask } = run;
    const graceMillis = this.config.shutdownGraceMillis;
    const deadline = Date.now() + graceMillis;
    const left = (): number => Math.max(0, deadline - Date.now());
    logger.info('worker shutting down', { leases: this.heldShards(), graceMillis });

    // 1. No new leases, no more shard syncs. A pass in progress is awaited for at most one refresh period (as calls in
    // flight at the end: one that has not answered by then is treated as hung), so that a store that does not answer
    // (a membership round runs every renewal interval, so one is often in flight) cannot eat the consumers' grace period.
    run.lifecycle.abort();
    void run.statusLogTask?.stop();
    await settleWithin(Promise.all([shardSyncTask.stop(), coordinator.stopAcquiring()]), this.inFlightWaitMillis(left()));
    // The leader role goes at once (another worker takes it and assigns the leases released below), and this worker
    // leaves the registry so the leader assigns it nothing more. Best effort, bounded the same way.
    await settleWithin(coordinator.leave(), this.inFlightWaitMillis(left()));
    // 2. Consumers finish their batch, shut their processors down (REQUESTED) and release their leases.
    run.shutdownController.abort();
    const stillRunning = await runner.waitAll(left());
    if (stillRunning.length > 0) {
      logger.warn('shutdown grace period over: abandoning leases whose consumers are still running (they expire)', {
        shards: stillRunning,
        graceMillis,
      });
      for (const shardId of stillRunning) coordinator.abandon(shardId);
    }
    // Leases a leader round or a hand-off gave this worker while it was leaving: released, not left to expire.
    await settleWithin(coordinator.releaseUnadopted(stillRunning), this.inFlightWaitMillis(left()));
    // 3. Leases without a running consumer (if any) are released too; then renewals stop.
    for (const handle of coordinator.heldLeases()) {
      if (handle.state === 'active' && !stillRunning.includes(handle.shardId)) {
        await settleWithin(coordinator.release(handle.shardId, 'released'), left());
      }
    }
    coordinator.stopRenewing();
    await this.releaseResources(this.inFlightWaitMillis(left()));
    this.stateValue = 'stopped';
    logger.info('worker stopped');
    this.emitSafely('shutdown', {});
  }

  /**
   * How long the stop waits for lease-store calls still in flight: at most one lease refresh period (a call that
   * has not answered by then is treated as hung, as the renewer treats it; closing the store aborts it) and never
   * beyond `limitMillis` (the grace period left).
   */
  private inFlightWaitMillis(limitMillis: number): number {
    const refresh = this.config.leaseRefreshPeriodMillis;
    return Math.max(0, Math.min(limitMillis, Number.isFinite(refresh) && refresh > 0 ? refresh : limitMillis));
  }

  /**
   * Shuts monitoring down, waits up to `inFlightWaitMillis` for lease-store calls still in flight, then closes the
   * lease store (unless the user opted out) and the Kinesis client the worker created. Never throws.
   */
  private async releaseResources(inFlightWaitMillis: number): Promise<void> {
    const run = this.run;
    if (!run) return;
    run.lifecycle.abort();
    run.shutdownController.abort();
    // Not awaited: a pass stuck on an unresponsive store must not block this; stop() takes effect at once.
    void run.shardSyncTask?.stop();
    void run.statusLogTask?.stop();
    void run.coordinator?.stopAcquiring();
    run.coordinator?.stopRenewing();
    if (run.monitoringInitialised) {
      run.monitoringInitialised = false;
      await guarded(run.logger, 'monitoring.shutdown', () => run.monitoring.shutdown());
    }
    if (run.store) {
      const { inner, tracked } = run.store;
      // A renewal, take or cleanup started just before the stop: let it finish before the store is closed (and
      // before shutdown() resolves), within the time left.
      if (!(await tracked.settled(inFlightWaitMillis))) {
        run.logger.warn('lease-store calls still in flight after the stop (they did not settle in time)', {
          inFlight: tracked.inFlight(),
          waitedMillis: inFlightWaitMillis,
        });
      }
      if (run.closeCheckpointer) {
        run.closeCheckpointer = false;
        await guarded(run.logger, 'checkpointer.close', () => settleWithin(inner.close(), CLOSE_TIMEOUT_MILLIS));
      }
    }
    if (run.ownsKinesis) {
      run.ownsKinesis = false;
      await guarded(run.logger, 'kinesis.destroy', () => run.kinesis.destroy());
    }
  }
}

/** Upper bound on closing the lease store, and on waiting for its calls in flight after a failed start. */
const CLOSE_TIMEOUT_MILLIS = 5_000;

interface RunningParts {
  logger: Logger;
  monitoring: MonitoringService;
  kinesis: KinesisClient;
  ownsKinesis: boolean;
  /** The lease store as given (closed at the end) and its tracked wrapper (used by everything else). */
  store: { inner: Checkpointer; tracked: TrackedCheckpointer } | undefined;
  /** Close the store in releaseResources: set once init() was called, unless the user opted out. */
  closeCheckpointer: boolean;
  lifecycle: AbortController;
  shutdownController: AbortController;
  monitoringInitialised: boolean;
  /** Set once start() got that far. */
  coordinator?: LeaseCoordinator;
  runner?: ShardConsumerRunner;
  shardSyncTask?: PeriodicTask;
  /** The periodic status line (undefined when `statusLogIntervalMillis` is 0). */
  statusLogTask?: PeriodicTask | undefined;
}

async function guarded(logger: Logger, operation: string, fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (error) {
    logger.warn(`${operation} failed during shutdown`, { error, code: isKclError(error) ? error.code : undefined });
  }
}

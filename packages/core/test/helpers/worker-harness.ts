/** Shared pieces of worker and lease-engine tests: kinesalite, short-timed configs, fault-injecting store, waits. */
import { takeOrRenewLease } from '../../src/checkpoint/lease-transitions';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createTestStream, startKinesalite, waitFor as testbedWaitFor } from '@kcl/testbed';
import type { Checkpointer } from '../../src/checkpoint/checkpointer';
import type { CoordinatorLease, OwnedLease, WorkerHeartbeat } from '../../src/checkpoint/coordination';
import type { ShardStatus } from '../../src/checkpoint/shard-status';
import { InitialPositionInStream } from '../../src/config/initial-position';
import { KinesisClientLibConfig } from '../../src/config/kcl-config';
import { LeaseStoreUnavailableError } from '../../src/errors';
import type { MonitoringService } from '../../src/metrics/monitoring-service';
import type {
  InitializationInput,
  ProcessRecordsInput,
  RecordProcessor,
  RecordProcessorFactory,
  ShutdownInput,
} from '../../src/processor/record-processor';
import { ShutdownReason } from '../../src/processor/shutdown-reason';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../../src/testing';
import { Worker } from '../../src/worker/worker';
import type { WorkerOptions } from '../../src/worker/worker-options';
import type { WorkerEvents } from '../../src/worker/worker-events';
import { RecordingLogger } from './consumer-recorders';
import { serverFixture, type ServerFixture } from './kinesis-fixture';

export { createTestStream };

export type KinesaliteFixture = ServerFixture;

/** Kinesalite with a client that retries as the SDK does by default. */
export async function startKinesaliteFixture(): Promise<KinesaliteFixture> {
  return serverFixture(await startKinesalite({ shardLimit: 1000 }));
}

/** Lease timings used by the engine tests. */
/** One kinesalite for the calling test file, started in beforeAll and stopped in afterAll; read `fx` from beforeAll on. */
export function useKinesaliteFixture(): { readonly fx: KinesaliteFixture } {
  let fx: KinesaliteFixture | undefined;
  beforeAll(async () => {
    fx = await startKinesaliteFixture();
  });
  afterAll(async () => {
    await fx?.stop();
  });
  return {
    get fx(): KinesaliteFixture {
      if (!fx) throw new Error('the kinesalite fixture is started in beforeAll');
      return fx;
    },
  };
}

export const FAST = { failoverTimeMillis: 600, leaseRefreshPeriodMillis: 150 } as const;

/**
 * A config with short timings: failover 600 ms, refresh 150 ms, shard sync 400 ms, TRIM_HORIZON, recording logger.
 * `stealing` turns lease stealing on with that interval (ms) and lease syncing every second.
 */
export function workerConfig(
  streamName: string,
  workerId: string,
  overrides: { failover?: number; refresh?: number; shardSync?: number; grace?: number; stealing?: number } = {},
): KinesisClientLibConfig {
  const config = new KinesisClientLibConfig('worker-test', streamName, 'us-east-1', workerId)
    .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
    .withFailoverTimeMillis(overrides.failover ?? FAST.failoverTimeMillis)
    .withLeaseRefreshPeriodMillis(overrides.refresh ?? FAST.leaseRefreshPeriodMillis)
    .withShardSyncIntervalMillis(overrides.shardSync ?? 400)
    .withIdleTimeBetweenReadsInMillis(50)
    .withTaskBackoffTimeMillis(50)
    .withMaxRetryCount(2)
    .withShutdownGraceMillis(overrides.grace ?? 5_000)
    .withLogger(new RecordingLogger());
  if (overrides.stealing === undefined) return config;
  return config.withLeaseStealing(true).withLeaseStealingIntervalMillis(overrides.stealing).withLeaseSyncingIntervalMillis(1_000);
}

export type StoreFault = 'none' | 'unavailable' | 'hang';

/**
 * Wraps one worker's checkpointer so that only that worker's store fails (the in-memory table's own hooks would hit
 * every worker sharing it): `unavailable` rejects every call at once, `hang` never answers.
 */
export class FaultyCheckpointer implements Checkpointer {
  fault: StoreFault = 'none';
  private readonly hung: Array<() => void> = [];

  constructor(readonly inner: Checkpointer) {}

  /** Back to normal; hung calls stay hung (as requests lost by a dead process would). */
  heal(): void {
    this.fault = 'none';
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.fault === 'unavailable') throw new LeaseStoreUnavailableError('simulated: store unavailable for this worker');
    if (this.fault === 'hang') {
      await new Promise<void>((resolve) => this.hung.push(resolve));
      throw new LeaseStoreUnavailableError('simulated: request timed out');
    }
    return fn();
  }

  /** Lets hung calls fail (so a test can end without dangling promises). */
  releaseHung(): void {
    for (const resolve of this.hung.splice(0)) resolve();
  }

  init(): Promise<void> {
    return this.call(() => this.inner.init());
  }
  takeLease(shard: ShardStatus, newAssignTo: string): Promise<void> {
    return this.call(() => this.inner.takeLease(shard, newAssignTo));
  }
  renewLease(shard: ShardStatus, workerId: string): Promise<void> {
    return this.call(() => this.inner.renewLease(shard, workerId));
  }
  checkpointSequence(shard: ShardStatus): Promise<void> {
    return this.call(() => this.inner.checkpointSequence(shard));
  }
  fetchCheckpoint(shard: ShardStatus): Promise<void> {
    return this.call(() => this.inner.fetchCheckpoint(shard));
  }
  removeLeaseInfo(shardId: string): Promise<void> {
    return this.call(() => this.inner.removeLeaseInfo(shardId));
  }
  removeLeaseOwner(shardId: string, leaseToken: string): Promise<void> {
    return this.call(() => this.inner.removeLeaseOwner(shardId, leaseToken));
  }
  getLeaseOwner(shardId: string): Promise<string> {
    return this.call(() => this.inner.getLeaseOwner(shardId));
  }
  listActiveWorkers(shardStatus: Map<string, ShardStatus>): Promise<Map<string, ShardStatus[]>> {
    return this.call(() => this.inner.listActiveWorkers(shardStatus));
  }
  claimShard(shard: ShardStatus, claimId: string): Promise<void> {
    return this.call(() => this.inner.claimShard(shard, claimId));
  }
  listLeases(): Promise<ShardStatus[]> {
    return this.call(() => this.inner.listLeases());
  }
  heartbeat(workerId: string): Promise<void> {
    return this.call(() => this.inner.heartbeat(workerId));
  }
  removeWorker(workerId: string): Promise<void> {
    return this.call(() => this.inner.removeWorker(workerId));
  }
  listWorkers(): Promise<WorkerHeartbeat[]> {
    return this.call(() => this.inner.listWorkers());
  }
  getCoordinatorLease(): Promise<CoordinatorLease | undefined> {
    return this.call(() => this.inner.getCoordinatorLease());
  }
  takeCoordinatorLease(workerId: string, observedCounter: number): Promise<CoordinatorLease> {
    return this.call(() => this.inner.takeCoordinatorLease(workerId, observedCounter));
  }
  renewCoordinatorLease(workerId: string, leaseToken: string): Promise<CoordinatorLease> {
    return this.call(() => this.inner.renewCoordinatorLease(workerId, leaseToken));
  }
  releaseCoordinatorLease(workerId: string, leaseToken: string): Promise<void> {
    return this.call(() => this.inner.releaseCoordinatorLease(workerId, leaseToken));
  }
  listOwnedLeases(workerId: string): Promise<OwnedLease[]> {
    return this.call(() => this.inner.listOwnedLeases(workerId));
  }
  transferLease(shardId: string, leaseToken: string, fromWorker: string, toWorker: string): Promise<ShardStatus> {
    return this.call(() => this.inner.transferLease(shardId, leaseToken, fromWorker, toWorker));
  }
  /** The inner store's batch renewal, or one renewal per entry when it has none. */
  renewLeases(shards: ShardStatus[], workerId: string): Promise<Array<ShardStatus | Error>> {
    return this.call(async () => {
      if (this.inner.renewLeases) return this.inner.renewLeases(shards, workerId);
      return Promise.all(
        shards.map((shard) =>
          takeOrRenewLease(this.inner, shard, workerId).then(
            () => shard,
            (error: unknown) => error as Error,
          ),
        ),
      );
    });
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A processor that records what it was called with; its checkpoint behaviour is configurable. */
export class TestProcessor implements RecordProcessor {
  shardId = '';
  readonly shutdowns: ShutdownReason[] = [];
  initialized = false;
  constructor(
    private readonly onRecords?: (input: ProcessRecordsInput) => void | Promise<void>,
    private readonly checkpointOnShutdown = true,
  ) {}
  initialize(input: InitializationInput): void {
    this.shardId = input.shardId;
    this.initialized = true;
  }
  async processRecords(input: ProcessRecordsInput): Promise<void> {
    await this.onRecords?.(input);
  }
  async shutdown(input: ShutdownInput): Promise<void> {
    this.shutdowns.push(input.shutdownReason);
    if (this.checkpointOnShutdown && input.shutdownReason !== ShutdownReason.ZOMBIE) {
      try {
        await input.checkpointer.checkpoint();
      } catch {
        // best effort
      }
    }
  }
}

export class TestProcessorFactory implements RecordProcessorFactory {
  readonly processors: TestProcessor[] = [];
  constructor(private readonly make: () => TestProcessor = () => new TestProcessor()) {}
  createProcessor(): RecordProcessor {
    const p = this.make();
    this.processors.push(p);
    return p;
  }
}

/** Collects every event a worker emits, with its time. */
export class EventLog {
  readonly events: Array<{ at: number; workerId: string; name: keyof WorkerEvents; payload: unknown }> = [];
  attach(worker: Worker): this {
    const names: Array<keyof WorkerEvents> = ['leaseAcquired', 'leaseLost', 'shardEnded', 'processorError', 'error', 'shutdown'];
    for (const name of names) {
      worker.on(name, (payload) => {
        this.events.push({ at: performance.now(), workerId: worker.workerId, name, payload });
      });
    }
    return this;
  }
  of<K extends keyof WorkerEvents>(name: K, workerId?: string): Array<WorkerEvents[K] & { at: number; workerId: string }> {
    return this.events
      .filter((e) => e.name === name && (workerId === undefined || e.workerId === workerId))
      .map((e) => ({ ...(e.payload as WorkerEvents[K]), at: e.at, workerId: e.workerId }));
  }
}

export interface TestWorker {
  worker: Worker;
  store: FaultyCheckpointer;
  config: KinesisClientLibConfig;
  logger: RecordingLogger;
  factory: TestProcessorFactory;
}

/** Builds a worker on the shared in-memory `table` (through a FaultyCheckpointer) and the given Kinesis client. */
export function makeWorker(
  table: InMemoryLeaseTable,
  kinesis: KinesisClient,
  config: KinesisClientLibConfig,
  options: WorkerOptions & { factory?: TestProcessorFactory; events?: EventLog } = {},
): TestWorker {
  const store = new FaultyCheckpointer(new InMemoryCheckpointer(table, { workerId: config.workerId, failoverTimeMillis: config.failoverTimeMillis }));
  const factory = options.factory ?? new TestProcessorFactory();
  const worker = new Worker(factory, config, options).withKinesis(kinesis).withCheckpointer(store);
  options.events?.attach(worker);
  return { worker, store, config, logger: config.logger as RecordingLogger, factory };
}

export { InMemoryLeaseTable };

/** The test kit's waitFor, polling every 5 ms (the worker tests time hand-offs in tens of milliseconds). */
export function waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return testbedWaitFor(predicate, what, timeoutMs, 5);
}

export { setTimeout as delay } from 'node:timers/promises';

/** Collects unhandled rejections while a test file runs. */
export function trackUnhandledRejections(): { errors: unknown[]; dispose(): void } {
  const errors: unknown[] = [];
  const handler = (reason: unknown): void => {
    errors.push(reason);
  };
  process.on('unhandledRejection', handler);
  return {
    errors,
    dispose: () => {
      process.off('unhandledRejection', handler);
    },
  };
}

/** A MonitoringService that counts lease events. */
export class CountingMonitoring implements MonitoringService {
  gained = 0;
  lost = 0;
  renewed = 0;
  initCalls = 0;
  shutdownCalls = 0;
  init(): void {
    this.initCalls += 1;
  }
  start(): void {}
  incrRecordsProcessed(): void {}
  incrBytesProcessed(): void {}
  millisBehindLatest(): void {}
  leaseGained(): void {
    this.gained += 1;
  }
  leaseLost(): void {
    this.lost += 1;
  }
  leaseRenewed(): void {
    this.renewed += 1;
  }
  recordGetRecordsTime(): void {}
  recordProcessRecordsTime(): void {}
  shutdown(): void {
    this.shutdownCalls += 1;
  }
}

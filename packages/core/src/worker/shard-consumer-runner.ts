import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Checkpointer } from '../checkpoint/checkpointer';
import type { KinesisClientLibConfig } from '../config/kcl-config';
import type { LeanGetRecords } from '../kinesis/lean-get-records';
import type { HeldLease } from '../leases/held-lease';
import type { LeaseCoordinator } from '../leases/lease-coordinator';
import type { Logger } from '../logger/logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import type { RecordProcessor, RecordProcessorFactory } from '../processor/record-processor';
import { ShutdownReason } from '../processor/shutdown-reason';
import type { ShardRegistry } from '../shards/shard-registry';
import type { ChildShardInfo } from '../shards/shard-registry';
import type { ConsumerEventSink, ShardConsumerDeps, ShardConsumerFactory, ShardConsumerResult } from '../consumers/shard-consumer';
import { createCheckedProcessor, withOptionalHooks } from './processor-check';
import type { WorkerEvents } from './worker-events';
import { settleWithin } from '../internal/timeout';
import { trackActivityMetrics, type ShardActivity } from '../consumers/shard-activity';
import type { KinesisCallGate } from '../consumers/kinesis-call-gate';
import type { BatchSkippedEvent, ProcessorFailingEvent } from '../consumers/consumer-events';

export interface ShardConsumerRunnerOptions {
  config: KinesisClientLibConfig;
  kinesis: KinesisClient;
  /** The lean GetRecords path of a worker-built client (none for an injected client). */
  leanGetRecords?: LeanGetRecords | undefined;
  /** The bound on the polling consumers' Kinesis reads in flight (`maxConcurrentGetRecords`), shared by all of them. */
  kinesisCallGate?: KinesisCallGate | undefined;
  /** The bound on the polling consumers' GetShardIterator calls in flight ({@link iteratorCallLimit}). */
  iteratorCallGate?: KinesisCallGate | undefined;
  checkpointer: Checkpointer;
  monitoring: MonitoringService;
  logger: Logger;
  processorFactory: RecordProcessorFactory;
  /** A processor already made (and checked) by start(): used for the first lease taken, so none is wasted. */
  firstProcessor?: RecordProcessor | undefined;
  consumerFactory: ShardConsumerFactory;
  coordinator: LeaseCoordinator;
  registry: ShardRegistry;
  shutdownSignal: AbortSignal;
  emit: <K extends keyof WorkerEvents>(event: K, payload: WorkerEvents[K]) => void;
  /** A shard ended without reporting its children: look for them with a shard sync. */
  onShardEndWithoutChildren: () => void;
  /** Receives what each running consumer does (for `worker.status()`). */
  activity: ShardActivity;
}

/**
 * The per-shard lifecycle: when a lease is taken, creates the processor (`factory.createProcessor()`, checked:
 * `processRecords` required, `initialize` / `shutdown` optional no-ops; the first one comes from start()), builds the
 * consumer's dependencies (logger with `{ shardId, workerId }`) and runs the consumer; when it ends:
 * - TERMINATE: the SHARD_END lease is kept (not released), children are recorded and a take pass runs for them;
 * - ZOMBIE: the lease is forgotten (another worker has it, or will once it expires);
 * - REQUESTED (shutdown, hand-off, or a processor that kept failing under the `releaseLease` policy): the lease is
 *   released with removeLeaseOwner so another worker takes it at once.
 */
export class ShardConsumerRunner {
  private readonly options: ShardConsumerRunnerOptions;
  private readonly running = new Map<string, Promise<void>>();
  private firstProcessor: RecordProcessor | undefined;
  /** The worker's MonitoringService, also feeding the shard activity. */
  private readonly monitoring: MonitoringService;

  constructor(options: ShardConsumerRunnerOptions) {
    this.options = options;
    this.firstProcessor = options.firstProcessor;
    this.monitoring = trackActivityMetrics(options.monitoring, options.activity);
  }

  /** Shards whose consumer is running. */
  runningShards(): string[] {
    return [...this.running.keys()];
  }

  /** Starts the consumer of a newly taken lease. Never throws. */
  start(handle: HeldLease): void {
    const { shardId } = handle;
    if (this.running.has(shardId)) {
      this.options.logger.error('a consumer is already running for this shard; not starting another', { shardId });
      return;
    }
    this.options.emit('leaseAcquired', { shardId });
    this.options.activity.begin(shardId);
    const run = this.run(handle)
      .catch((error: unknown) => {
        this.options.logger.error('shard consumer lifecycle failed', { shardId, error });
      })
      .finally(() => {
        this.running.delete(shardId);
        this.options.activity.end(shardId);
      });
    this.running.set(shardId, run);
  }

  /**
   * Waits until every consumer has ended or `timeoutMillis` passed.
   * @returns the shards whose consumer is still running
   */
  async waitAll(timeoutMillis: number): Promise<string[]> {
    await settleWithin(Promise.allSettled([...this.running.values()]), timeoutMillis);
    return this.runningShards();
  }

  private async run(handle: HeldLease): Promise<void> {
    const o = this.options;
    const { shardId } = handle;
    const logger = o.logger.child({ shardId, workerId: o.config.workerId });

    let processor: RecordProcessor;
    try {
      processor = this.firstProcessor ?? createCheckedProcessor(o.processorFactory);
      this.firstProcessor = undefined;
    } catch (error) {
      logger.error('createProcessor() failed or returned an invalid RecordProcessor; releasing the lease', { error });
      o.emit('error', { error, shardId, operation: 'createProcessor' });
      await o.coordinator.release(shardId, 'released');
      return;
    }

    const events = new ShardEventSink(o, shardId);
    const deps: ShardConsumerDeps = {
      config: o.config,
      kinesis: o.kinesis,
      leanGetRecords: o.leanGetRecords,
      kinesisCallGate: o.kinesisCallGate,
      iteratorCallGate: o.iteratorCallGate,
      checkpointer: o.checkpointer,
      processor: withOptionalHooks(processor),
      lease: handle,
      monitoring: this.monitoring,
      logger,
      events,
      shutdownSignal: o.shutdownSignal,
      giveUpLease: (reason) => o.coordinator.giveUp(shardId, reason),
    };

    let result: ShardConsumerResult;
    try {
      result = await o.consumerFactory(deps).run();
    } catch (error) {
      // The consumer contract says run() never rejects; if one does, its processor state is unknown. Release the
      // lease (if still held) so the shard is picked up again from its last checkpoint.
      logger.error('shard consumer failed unexpectedly', { error });
      o.emit('error', { error, shardId, operation: 'shardConsumer' });
      if (handle.state === 'active') await o.coordinator.release(shardId, 'released');
      else o.coordinator.drop(shardId);
      return;
    }

    switch (result.reason) {
      case ShutdownReason.TERMINATE: {
        const children = result.childShards ?? [];
        events.shardEnded(shardId, children);
        logger.info('shard ended', { children: children.map((c) => c.shardId) });
        o.coordinator.shardEnded(shardId);
        if (children.length === 0) o.onShardEndWithoutChildren();
        return;
      }
      case ShutdownReason.ZOMBIE:
        logger.info('shard consumer stopped: lease lost');
        o.coordinator.drop(shardId);
        return;
      case ShutdownReason.REQUESTED:
      default: {
        const handoff = handle.handoffRequested && !o.shutdownSignal.aborted;
        const reason = result.releaseReason ?? (handoff ? 'handoff' : 'released');
        logger.info(reason === 'handoff' ? 'handing the lease over to the claiming worker' : 'releasing the lease', { reason });
        await o.coordinator.release(shardId, reason);
        return;
      }
    }
  }
}

/**
 * What one consumer reports, turned into worker events for its shard. A class rather than an object of closures: a
 * worker holding 1,000 leases has 1,000 of these alive.
 */
class ShardEventSink implements ConsumerEventSink {
  private shardEndedEmitted = false;

  constructor(
    private readonly o: ShardConsumerRunnerOptions,
    private readonly shardId: string,
  ) {}

  /** Records the children (every time: a later report may know more) and emits `shardEnded` once. */
  shardEnded(_shardId: string, children: ChildShardInfo[]): void {
    this.o.registry.addChildren(children);
    if (this.shardEndedEmitted) return;
    this.shardEndedEmitted = true;
    this.o.emit('shardEnded', { shardId: this.shardId, childShards: children });
  }
  processorError(_shardId: string, error: unknown, attempt: number): void {
    this.o.emit('processorError', { shardId: this.shardId, error, attempt });
  }
  processorStuck(_shardId: string, operation: 'initialize' | 'processRecords' | 'shutdown', millis: number): void {
    this.o.activity.processorStuck(this.shardId, operation);
    this.o.emit('processorStuck', { shardId: this.shardId, operation, millis });
  }
  processorReturned(): void {
    this.o.activity.processorReturned(this.shardId);
  }
  processorFailing(event: ProcessorFailingEvent): void {
    this.o.emit('processorFailing', event);
  }
  batchSkipped(event: BatchSkippedEvent): void {
    this.o.emit('batchSkipped', event);
  }
  error(error: unknown, context: { shardId?: string; operation: string }): void {
    this.o.emit('error', { error, shardId: context.shardId ?? this.shardId, operation: context.operation });
  }
}

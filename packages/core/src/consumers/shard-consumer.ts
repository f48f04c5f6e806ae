/**
 * The contract between the lease side of the worker and a per-shard consumer (polling or enhanced fan-out): what a
 * consumer is given, what it reports, how its run ends. Not exported from the package entry.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Checkpointer } from '../checkpoint/checkpointer';
import type { KinesisClientLibConfig } from '../config/kcl-config';
import type { LeanGetRecords } from '../kinesis/lean-get-records';
import type { KinesisCallGate } from './kinesis-call-gate';
import type { LeaseHandle } from '../leases/lease-handle';
import type { Logger } from '../logger/logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import type { RecordProcessor } from '../processor/record-processor';
import type { ShutdownReason } from '../processor/shutdown-reason';
import type { ChildShardInfo } from '../shards/shard-registry';
import type { BatchSkippedEvent, ProcessorFailingEvent } from './consumer-events';

/** How a shard consumer run ended. */
export interface ShardConsumerResult {
  /** REQUESTED (worker shutdown or hand-off), TERMINATE (shard end, SHARD_END checkpointed), ZOMBIE (lease lost). */
  reason: ShutdownReason;
  /** Children found at shard end (TERMINATE only). */
  childShards?: ChildShardInfo[] | undefined;
  /**
   * REQUESTED only: set when the consumer gave the lease up because its processor kept failing (processor failure
   * policy `releaseLease`), not for a shutdown or hand-off.
   */
  releaseReason?: 'failing' | undefined;
}

/** Events a consumer reports to the worker (the worker re-emits them as its public typed events). */
export interface ConsumerEventSink {
  shardEnded(shardId: string, childShards: ChildShardInfo[]): void;
  processorError(shardId: string, error: unknown, attempt: number): void;
  /** A processor call has been running for `millis` (optional so older sinks keep working). */
  processorStuck?(shardId: string, operation: 'initialize' | 'processRecords' | 'shutdown', millis: number): void;
  /** A processor call reported as stuck has returned after `millis` (optional so older sinks keep working). */
  processorReturned?(shardId: string, operation: 'initialize' | 'processRecords' | 'shutdown', millis: number): void;
  error(error: unknown, context: { shardId?: string; operation: string }): void;
  /** The processor keeps failing (optional so older sinks keep working). */
  processorFailing?(event: ProcessorFailingEvent): void;
  /** A batch was skipped by the processor failure policy (optional so older sinks keep working). */
  batchSkipped?(event: BatchSkippedEvent): void;
}

/** Everything one per-shard consumer needs. Created by the worker when it takes a lease. */
export interface ShardConsumerDeps {
  config: KinesisClientLibConfig;
  kinesis: KinesisClient;
  /**
   * GetRecords without the SDK's middleware chain, through `kinesis`'s own endpoint, signer, HTTP handler and retry
   * strategy. Given by the worker only for a client it built itself (never for one injected with `withKinesis`).
   */
  leanGetRecords?: LeanGetRecords | undefined;
  /**
   * Slots for the polling consumer's GetRecords and GetShardIterator calls, shared by every consumer of the worker
   * (`maxConcurrentGetRecords`). Absent: no bound.
   */
  kinesisCallGate?: KinesisCallGate | undefined;
  /**
   * Slots for GetShardIterator calls alone, shared by every consumer of the worker (see
   * {@link iteratorCallLimit}); an iterator call holds one of these and one of `kinesisCallGate`. Absent: no bound.
   */
  iteratorCallGate?: KinesisCallGate | undefined;
  checkpointer: Checkpointer;
  /** The application's processor; a missing optional hook (`initialize`, `shutdown`) is filled in as a no-op. */
  processor: Required<RecordProcessor>;
  lease: LeaseHandle;
  monitoring: MonitoringService;
  /** Already has { shardId, workerId } in context. */
  logger: Logger;
  events: ConsumerEventSink;
  /** Aborted when the worker shuts down (graceful: the consumer finishes its batch and ends with REQUESTED). */
  shutdownSignal: AbortSignal;
  /**
   * Stops renewing the lease and marks it lost (its `lostSignal` aborts) while the consumer keeps running: used when a
   * processor call ran past `maxProcessingTimeMillis`. The consumer ends with ZOMBIE once the call returns. Optional:
   * without it the consumer only refuses the call's checkpoints.
   */
  giveUpLease?(reason: 'stuck'): void;
}

/** A per-shard consumer (polling now, enhanced fan-out later). */
export interface ShardConsumer {
  /** Runs until shard end, lease loss or shutdown. Never rejects: failures end in a result or are retried. */
  run(): Promise<ShardConsumerResult>;
}

export type ShardConsumerFactory = (deps: ShardConsumerDeps) => ShardConsumer;

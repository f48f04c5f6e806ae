import type { ExtendedSequenceNumber } from '../checkpoint/shard-status';
import type { ShutdownReason } from './shutdown-reason';

/** One Kinesis record as delivered to a processor (a de-aggregated KPL user record carries `subSequenceNumber`). */
export interface KinesisClientRecord {
  /** The payload. */
  data: Uint8Array;
  partitionKey: string;
  sequenceNumber: string;
  /** Index of the user record inside its KPL aggregate; undefined for records that were not aggregated. */
  subSequenceNumber?: number | undefined;
  /** Explicit hash key of a KPL user record, when the producer set one. */
  explicitHashKey?: string | undefined;
  approximateArrivalTimestamp?: Date | undefined;
  /** `NONE` or `KMS`. */
  encryptionType?: string | undefined;
  /** True when this record was part of a KPL aggregate. */
  aggregated: boolean;
}

/** Commits a checkpoint prepared earlier with {@link RecordProcessorCheckpointer.prepareCheckpoint}. */
export interface PreparedCheckpointer {
  /** The position that {@link checkpoint} will store. */
  readonly pendingCheckpoint: ExtendedSequenceNumber;
  /** Stores the prepared position. Throws LeaseLostError if the lease is no longer held. */
  checkpoint(): Promise<void>;
}

/**
 * Lets a processor record its progress. Checkpoints are conditional on the worker still holding the lease: after
 * the lease was lost they throw LeaseLostError and write nothing.
 */
export interface RecordProcessorCheckpointer {
  /**
   * `checkpoint()`: at the last record delivered (SHARD_END once the shard end was reached).
   * `checkpoint(sequenceNumber, subSequenceNumber?)`: at that record (must have been delivered).
   * `checkpoint(null)`: SHARD_END (go-kcl's nil); only valid when the shard has ended.
   */
  checkpoint(sequenceNumber?: string | null, subSequenceNumber?: number): Promise<void>;
  /** Validates and remembers a position without writing it; the returned object's `checkpoint()` writes it. */
  prepareCheckpoint(sequenceNumber?: string | null, subSequenceNumber?: number): Promise<PreparedCheckpointer>;
}

export interface InitializationInput {
  shardId: string;
  /** Where processing resumes: the stored checkpoint, or undefined when starting from the initial position. */
  extendedSequenceNumber?: ExtendedSequenceNumber | undefined;
  /** A checkpoint prepared but not committed before the lease moved here, if the store kept one. */
  pendingCheckpointSequenceNumber?: ExtendedSequenceNumber | undefined;
}

export interface ProcessRecordsInput {
  shardId: string;
  records: KinesisClientRecord[];
  /** How far behind the tip of the shard this batch is, as reported by Kinesis. */
  millisBehindLatest: number;
  checkpointer: RecordProcessorCheckpointer;
  /** When the batch was fetched from Kinesis. */
  cacheEntryTime?: Date | undefined;
  /** When the batch was handed to the processor. */
  cacheExitTime?: Date | undefined;
}

export interface ShutdownInput {
  shutdownReason: ShutdownReason;
  /** Usable for REQUESTED and TERMINATE; throws LeaseLostError for ZOMBIE. */
  checkpointer: RecordProcessorCheckpointer;
}

/**
 * Your code: one instance per shard lease. Every method may be async; calls for one shard never overlap.
 * `processRecords` is required; `initialize` and `shutdown` are optional (a missing one does nothing).
 * `Worker.start()` checks the shape of the first processor and rejects with InvalidRecordProcessorError if it is
 * wrong; a bad processor made later is reported in an `error` event and its lease released.
 */
export interface RecordProcessor {
  /** Called once before the first batch, with where processing resumes. Optional. */
  initialize?(input: InitializationInput): void | Promise<void>;
  /** Called with every batch; throw to get the same batch again after a back-off. */
  processRecords(input: ProcessRecordsInput): void | Promise<void>;
  /** Called once at the end (REQUESTED, TERMINATE or ZOMBIE); checkpoint here for REQUESTED and TERMINATE. Optional. */
  shutdown?(input: ShutdownInput): void | Promise<void>;
}

/** Creates one RecordProcessor per shard lease taken. */
export interface RecordProcessorFactory {
  createProcessor(): RecordProcessor;
}

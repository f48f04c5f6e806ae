import type { ExtendedSequenceNumber } from '../checkpoint/shard-status';
import type { KinesisClientRecord } from '../processor/record-processor';

/** Payload of the `processorFailing` event. */
export interface ProcessorFailingEvent {
  shardId: string;
  operation: 'initialize' | 'processRecords';
  /** Consecutive failed calls (of `initialize`, or of `processRecords` with the same batch), counting from 1. */
  attempts: number;
  /** What the last call threw. */
  error: unknown;
  /** Wait before the next call (0 when the processor failure policy acts instead of a retry). */
  retryInMillis: number;
}

/** Payload of the `batchSkipped` event: what was passed over, e.g. for a dead-letter handler. */
export interface BatchSkippedEvent {
  shardId: string;
  /** Failed `processRecords` calls with this batch. */
  attempts: number;
  /** What the last call threw. */
  error: unknown;
  /** The records of the batch, as the processor was given them. */
  records: KinesisClientRecord[];
  /** First record of the batch (undefined for an empty batch). */
  first: ExtendedSequenceNumber | undefined;
  /** Last record of the batch (undefined for an empty batch); a later `checkpoint()` covers up to here. */
  last: ExtendedSequenceNumber | undefined;
}

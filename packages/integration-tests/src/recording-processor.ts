/** A record processor that writes every call to a {@link DeliveryLog}, checkpoints, and can fail on purpose. */
import {
  ShutdownReason,
  type InitializationInput,
  type ProcessRecordsInput,
  type RecordProcessor,
  type RecordProcessorFactory,
  type ShutdownInput,
} from '@kcl/core';
import type { DeliveryLog } from './delivery-log';

/** Context of one processRecords call, for {@link RecordingProcessorOptions.failWhen}. */
export interface CallContext {
  shardId: string;
  /** Calls of this processor so far, this one included (from 1). */
  call: number;
  /** Sequence numbers of the batch. */
  sequenceNumbers: string[];
}

export interface RecordingProcessorOptions {
  workerId: string;
  log: DeliveryLog;
  /**
   * Checkpoint at the last record of every non-empty batch, and at shutdown (REQUESTED: last record; TERMINATE:
   * SHARD_END).
   * @defaultValue true
   */
  checkpoint?: boolean;
  /**
   * Time spent in every non-empty processRecords before checkpointing, in ms.
   * @defaultValue 0
   */
  processMillis?: number;
  /**
   * Throw from processRecords (after logging the call as failed, before checkpointing) when this returns true.
   * @defaultValue never
   */
  failWhen?: (context: CallContext) => boolean;
}

let instances = 0;

class RecordingProcessor implements RecordProcessor {
  private shardId = '';
  private calls = 0;
  private readonly instance: string;

  constructor(private readonly options: RecordingProcessorOptions) {
    instances += 1;
    this.instance = `${options.workerId}#${instances}`;
  }

  initialize(input: InitializationInput): void {
    this.shardId = input.shardId;
  }

  async processRecords(input: ProcessRecordsInput): Promise<void> {
    const start = performance.now();
    this.calls += 1;
    const records = input.records.map((r) => ({ data: Buffer.from(r.data).toString('utf8'), sequenceNumber: r.sequenceNumber }));
    const { log, workerId, processMillis, failWhen } = this.options;
    const batch = { workerId, shardId: input.shardId, instance: this.instance, start, end: start, records, failed: false };
    try {
      if (processMillis && records.length > 0) await new Promise((resolve) => setTimeout(resolve, processMillis));
      if (failWhen?.({ shardId: input.shardId, call: this.calls, sequenceNumbers: records.map((r) => r.sequenceNumber) })) {
        batch.failed = true;
        throw new Error(`processor failure injected on ${input.shardId}, call ${this.calls}`);
      }
      if ((this.options.checkpoint ?? true) && records.length > 0) {
        try {
          await input.checkpointer.checkpoint();
        } catch {
          // The lease was lost: the worker stops this processor with ZOMBIE; the batch is delivered again elsewhere.
        }
      }
    } finally {
      batch.end = performance.now();
      log.addBatch(batch);
    }
  }

  async shutdown(input: ShutdownInput): Promise<void> {
    const { log, workerId } = this.options;
    const at = performance.now();
    const entry = { workerId, shardId: this.shardId, instance: this.instance, reason: input.shutdownReason, at, end: at, checkpointed: false };
    log.addShutdown(entry);
    try {
      if (input.shutdownReason === ShutdownReason.ZOMBIE || this.options.checkpoint === false) return;
      await input.checkpointer.checkpoint();
      entry.checkpointed = true;
    } catch {
      // Best effort: the worker writes SHARD_END itself if the processor did not.
    } finally {
      entry.end = performance.now();
    }
  }
}

/** A factory of recording processors for one worker. */
export function recordingProcessorFactory(options: RecordingProcessorOptions): RecordProcessorFactory {
  return { createProcessor: () => new RecordingProcessor(options) };
}

/**
 * The record processor of the chaos workers. Logs every call before doing anything (so a SIGKILL right after still
 * leaves the line), throws now and then (the same batch must come again), and checkpoints after every batch: usually
 * at its end (`checkpoint()`), sometimes at a record inside it (`checkpoint(seq, sub)`, inside a KPL aggregate when it
 * is one). At shutdown it checkpoints SHARD_END (TERMINATE) or its progress (REQUESTED), as applications do.
 */
import {
  isKclError,
  ShutdownReason,
  type InitializationInput,
  type KinesisClientRecord,
  type ProcessRecordsInput,
  type RecordProcessor,
  type ShutdownInput,
} from '@kcl/core';
import { now } from './clock';
import type { CheckpointPosition, DeliveredRecord } from './log-lines';
import type { LogWriter } from './log-writer';
import { decodePayloadId } from './payloads';
import type { Prng } from './prng';

export interface ChaosProcessorContext {
  log: LogWriter;
  workerId: string;
  inc: string;
  prng: Prng;
  throwRate: number;
  midBatchCheckpointRate: number;
}

/** Thrown on purpose by the processor. */
export class InjectedProcessorError extends Error {
  override name = 'InjectedProcessorError';
}

export class ChaosProcessor implements RecordProcessor {
  private shardId = '';
  /**
   * Last record of the last batch this processor accepted (did not throw for): what `checkpoint()` without arguments
   * writes at shutdown (a batch that threw is not covered until its retry succeeds).
   */
  private lastAccepted: string | undefined;

  constructor(
    private readonly ctx: ChaosProcessorContext,
    private readonly tenure: string,
  ) {}

  private base(): { w: string; inc: string; ten: string; shard: string } {
    return { w: this.ctx.workerId, inc: this.ctx.inc, ten: this.tenure, shard: this.shardId };
  }

  initialize(input: InitializationInput): void {
    this.shardId = input.shardId;
    const e = input.extendedSequenceNumber;
    const pos =
      e === undefined
        ? null
        : e.sequenceNumber === 'SHARD_END'
          ? ('SHARD_END' as const)
          : { seq: e.sequenceNumber, sub: e.subSequenceNumber ?? null };
    this.ctx.log.write({ t: 'init', at: now(), ...this.base(), pos });
  }

  async processRecords(input: ProcessRecordsInput): Promise<void> {
    const at = now();
    const recs: DeliveredRecord[] = input.records.map((r) => [decodePayloadId(r.data) ?? -1, r.sequenceNumber, r.subSequenceNumber ?? null]);
    const fail = this.ctx.prng.chance(this.ctx.throwRate);
    this.ctx.log.write(fail ? { t: 'batch', at, ...this.base(), recs, fail: true } : { t: 'batch', at, ...this.base(), recs });
    if (fail) throw new InjectedProcessorError(`chaos: processRecords fails on purpose (${recs.length} records)`);
    const last = input.records[input.records.length - 1];
    if (!last) return;
    this.lastAccepted = last.sequenceNumber;
    if (this.ctx.prng.chance(this.ctx.midBatchCheckpointRate)) {
      const record = this.ctx.prng.pick(input.records);
      await this.checkpointAt(input, record);
    } else {
      await this.checkpoint(() => input.checkpointer.checkpoint(), { seq: last.sequenceNumber, sub: null });
    }
  }

  private checkpointAt(input: ProcessRecordsInput, record: KinesisClientRecord): Promise<void> {
    const sub = record.aggregated ? (record.subSequenceNumber ?? null) : null;
    return this.checkpoint(
      () => (sub === null ? input.checkpointer.checkpoint(record.sequenceNumber) : input.checkpointer.checkpoint(record.sequenceNumber, sub)),
      { seq: record.sequenceNumber, sub },
    );
  }

  /** Runs a checkpoint call and logs its outcome; never throws (a lost lease ends the tenure anyway). */
  private async checkpoint(call: () => Promise<void>, pos: CheckpointPosition | 'SHARD_END'): Promise<void> {
    try {
      await call();
      this.ctx.log.write({ t: 'cp', at: now(), ...this.base(), pos, ok: true });
    } catch (error) {
      const err = isKclError(error) ? error.code : error instanceof Error ? error.name : String(error);
      this.ctx.log.write({ t: 'cp', at: now(), ...this.base(), pos, ok: false, err });
    }
  }

  async shutdown(input: ShutdownInput): Promise<void> {
    const reason = ShutdownReason[input.shutdownReason] as 'REQUESTED' | 'TERMINATE' | 'ZOMBIE';
    this.ctx.log.write({ t: 'shutdown', at: now(), ...this.base(), reason });
    if (input.shutdownReason === ShutdownReason.TERMINATE) {
      await this.checkpoint(() => input.checkpointer.checkpoint(), 'SHARD_END');
    } else if (input.shutdownReason === ShutdownReason.REQUESTED && this.lastAccepted !== undefined) {
      await this.checkpoint(() => input.checkpointer.checkpoint(), { seq: this.lastAccepted, sub: null });
    }
  }
}

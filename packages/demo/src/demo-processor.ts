import type { InitializationInput, ProcessRecordsInput, RecordProcessor, ShutdownInput } from '@kcl/core';
import { ShutdownReason } from '@kcl/core';
import type { Ledger } from './ledger';
import { decodeRecordId } from './producer';

let tenureSeq = 0;

/** Records every delivery in the ledger and checkpoints after every batch (and at shutdown when allowed). */
export class DemoProcessor implements RecordProcessor {
  private shardId = '';
  private readonly tenure = `t${++tenureSeq}`;
  private delivered = 0;

  constructor(private readonly ledger: Ledger) {}

  initialize(input: InitializationInput): void {
    this.shardId = input.shardId;
  }

  async processRecords(input: ProcessRecordsInput): Promise<void> {
    for (const record of input.records) {
      this.ledger.deliver(input.shardId, this.tenure, decodeRecordId(record.data), input.millisBehindLatest);
    }
    this.delivered += input.records.length;
    if (input.records.length > 0) await input.checkpointer.checkpoint();
  }

  async shutdown(input: ShutdownInput): Promise<void> {
    if (input.shutdownReason === ShutdownReason.TERMINATE) {
      this.ledger.shard(this.shardId).ended = true;
      await input.checkpointer.checkpoint();
    } else if (input.shutdownReason === ShutdownReason.REQUESTED && this.delivered > 0) {
      await input.checkpointer.checkpoint();
    }
  }
}

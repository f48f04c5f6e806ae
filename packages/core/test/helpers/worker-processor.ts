/**
 * Recording record processors for worker integration tests with the real polling consumer: every delivered record
 * and every processRecords interval is written to a shared ledger, across workers.
 */
import { DeliveryLog, textRecords } from '@kcl/testbed';
import type {
  InitializationInput,
  ProcessRecordsInput,
  RecordProcessor,
  RecordProcessorFactory,
  ShutdownInput,
} from '../../src/processor/record-processor';
import { ShutdownReason } from '../../src/processor/shutdown-reason';

/** The worker tests' delivery ledger: @kcl/testbed's, with core's ShutdownReason as the shutdown reason. */
export type RecordLedger = DeliveryLog<ShutdownReason>;

/** A new, empty {@link RecordLedger}. */
export function newRecordLedger(): RecordLedger {
  return new DeliveryLog<ShutdownReason>();
}

export interface LedgerProcessorOptions {
  /** Checkpoint at the end of every batch. @defaultValue true */
  checkpointEachBatch?: boolean;
  /** Extra time spent in every processRecords. @defaultValue 0 */
  processMillis?: number;
}

let instances = 0;

export class LedgerProcessor implements RecordProcessor {
  private shardId = '';
  private readonly instance: string;
  constructor(
    private readonly workerId: string,
    private readonly ledger: RecordLedger,
    private readonly options: LedgerProcessorOptions,
  ) {
    this.instance = `${workerId}#${instances++}`;
  }

  initialize(input: InitializationInput): void {
    this.shardId = input.shardId;
  }

  async processRecords(input: ProcessRecordsInput): Promise<void> {
    const start = performance.now();
    if (this.options.processMillis) await new Promise((r) => setTimeout(r, this.options.processMillis));
    this.ledger.addBatch({
      workerId: this.workerId,
      shardId: input.shardId,
      instance: this.instance,
      start,
      end: performance.now(),
      records: textRecords(input.records),
      failed: false,
    });
    if ((this.options.checkpointEachBatch ?? true) && input.records.length > 0) {
      try {
        await input.checkpointer.checkpoint();
      } catch {
        // Lease lost: the consumer stops with ZOMBIE; the records will be delivered again elsewhere.
      }
    }
  }

  async shutdown(input: ShutdownInput): Promise<void> {
    const reason = input.shutdownReason;
    const entry = { workerId: this.workerId, shardId: this.shardId, instance: this.instance, reason, at: performance.now() };
    let checkpointed = false;
    if (reason !== ShutdownReason.ZOMBIE) {
      try {
        await input.checkpointer.checkpoint();
        checkpointed = true;
      } catch {
        // best effort
      }
    }
    this.ledger.addShutdown({ ...entry, end: performance.now(), checkpointed });
  }
}

export class LedgerProcessorFactory implements RecordProcessorFactory {
  constructor(
    private readonly workerId: string,
    private readonly ledger: RecordLedger,
    private readonly options: LedgerProcessorOptions = {},
  ) {}
  createProcessor(): RecordProcessor {
    return new LedgerProcessor(this.workerId, this.ledger, this.options);
  }
}

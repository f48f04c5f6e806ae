/**
 * Recording record processors for worker integration tests with the real polling consumer: every delivered record
 * and every processRecords interval is written to a shared ledger, across workers.
 */
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type {
  InitializationInput,
  ProcessRecordsInput,
  RecordProcessor,
  RecordProcessorFactory,
  ShutdownInput,
} from '../../src/processor/record-processor';
import { ShutdownReason } from '../../src/processor/shutdown-reason';

export interface DeliveredRecord {
  workerId: string;
  shardId: string;
  data: string;
  sequenceNumber: string;
  /** Index of the processRecords call in the ledger. */
  batch: number;
  /** Which processor instance (lease tenure) delivered it. */
  instance: number;
}

export interface Batch {
  workerId: string;
  shardId: string;
  start: number;
  end: number;
  size: number;
}

export class RecordLedger {
  readonly records: DeliveredRecord[] = [];
  readonly batches: Batch[] = [];
  readonly shutdowns: Array<{ workerId: string; shardId: string; reason: ShutdownReason; at: number }> = [];

  /** Distinct payloads delivered. */
  payloads(): Set<string> {
    return new Set(this.records.map((r) => r.data));
  }

  duplicates(): string[] {
    const seen = new Set<string>();
    const dups: string[] = [];
    for (const r of this.records) {
      if (seen.has(r.data)) dups.push(r.data);
      seen.add(r.data);
    }
    return dups;
  }

  /** Batches of one shard, by two workers, whose intervals overlap. */
  overlappingBatches(): Array<[Batch, Batch]> {
    const found: Array<[Batch, Batch]> = [];
    const sorted = [...this.batches].sort((a, b) => a.start - b.start);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        const a = sorted[i]!;
        const b = sorted[j]!;
        if (b.start > a.end) break;
        if (a.shardId === b.shardId && a.workerId !== b.workerId) found.push([a, b]);
      }
    }
    return found;
  }

  /**
   * Order check. Within one processor instance (one tenure of a lease) sequence numbers strictly increase; across
   * tenures a shard may go back to its last checkpoint (re-delivery), but a record is never delivered for the first
   * time after a later record of its shard was. Returns descriptions of violations.
   */
  orderViolations(): string[] {
    const problems: string[] = [];
    const lastByInstance = new Map<number, bigint>();
    const maxFirstSeen = new Map<string, bigint>();
    const seen = new Set<string>();
    for (const r of this.records) {
      const seq = BigInt(r.sequenceNumber);
      const prev = lastByInstance.get(r.instance);
      if (prev !== undefined && seq <= prev) problems.push(`${r.shardId}: ${prev} then ${seq} in one tenure`);
      lastByInstance.set(r.instance, seq);
      if (seen.has(r.data)) continue;
      seen.add(r.data);
      const max = maxFirstSeen.get(r.shardId);
      if (max !== undefined && seq < max) problems.push(`${r.shardId}: ${seq} first delivered after ${max}`);
      if (max === undefined || seq > max) maxFirstSeen.set(r.shardId, seq);
    }
    return problems;
  }

  firstDelivery(shardId: string): number | undefined {
    const batch = this.batches.find((b) => b.shardId === shardId);
    return batch?.start;
  }

  lastDelivery(shardId: string): number | undefined {
    const list = this.batches.filter((b) => b.shardId === shardId);
    return list.at(-1)?.end;
  }
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
  private readonly instance = instances++;
  constructor(
    private readonly workerId: string,
    private readonly ledger: RecordLedger,
    private readonly options: LedgerProcessorOptions,
  ) {}

  initialize(input: InitializationInput): void {
    this.shardId = input.shardId;
  }

  async processRecords(input: ProcessRecordsInput): Promise<void> {
    const start = performance.now();
    const batch = this.ledger.batches.length;
    for (const record of input.records) {
      this.ledger.records.push({
        workerId: this.workerId,
        shardId: input.shardId,
        data: Buffer.from(record.data).toString('utf8'),
        sequenceNumber: record.sequenceNumber,
        batch,
        instance: this.instance,
      });
    }
    if (this.options.processMillis) await new Promise((r) => setTimeout(r, this.options.processMillis));
    this.ledger.batches.push({ workerId: this.workerId, shardId: input.shardId, start, end: performance.now(), size: input.records.length });
    if ((this.options.checkpointEachBatch ?? true) && input.records.length > 0) {
      try {
        await input.checkpointer.checkpoint();
      } catch {
        // Lease lost: the consumer stops with ZOMBIE; the records will be delivered again elsewhere.
      }
    }
  }

  async shutdown(input: ShutdownInput): Promise<void> {
    this.ledger.shutdowns.push({ workerId: this.workerId, shardId: this.shardId, reason: input.shutdownReason, at: performance.now() });
    if (input.shutdownReason === ShutdownReason.ZOMBIE) return;
    try {
      await input.checkpointer.checkpoint();
    } catch {
      // best effort
    }
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

/** Puts records `${prefix}-${i}` with random partition keys (so they spread over the shards) every `everyMs`. */
export class Producer {
  readonly produced: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private n = 0;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly stream: string,
    private readonly prefix = 'rec',
  ) {}

  async put(count: number): Promise<void> {
    const records = Array.from({ length: count }, () => {
      const data = `${this.prefix}-${this.n++}`;
      return { data, key: `pk-${Math.floor(Math.random() * 1e9)}` };
    });
    for (let i = 0; i < records.length; i += 500) {
      const chunk = records.slice(i, i + 500);
      const out = await this.kinesis.send(
        new PutRecordsCommand({
          StreamName: this.stream,
          Records: chunk.map((r) => ({ Data: Buffer.from(r.data), PartitionKey: r.key })),
        }),
      );
      if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records failed`);
      this.produced.push(...chunk.map((r) => r.data));
    }
  }

  /** Puts `batch` records every `everyMs` until stop(). */
  start(batch: number, everyMs: number): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.put(batch)).catch(() => undefined);
    }, everyMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

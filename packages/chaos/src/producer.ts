/**
 * The chaos producer: puts `records` user records over `windowMs` at an even pace, as plain records of mixed sizes
 * and (a share of the puts) KPL aggregates of 2-12 small user records. Entries Kinesis rejects are put again (the test
 * bed's putRecordsWithRetry). Every user record is remembered with the shard and sequence number Kinesis gave it (and
 * its index inside an aggregate).
 */
import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { putRecordsWithRetry, type PutRecordResult } from '@kcl/testbed';
import { now, sleep } from './clock';
import { encodeAggregate } from '@kcl/testbed';
import type { ProducedRecord } from './log-lines';
import { drawPayloadSize, encodePayload, partitionKeyFor } from './payloads';
import type { Prng } from './prng';

export interface ProducerOptions {
  client: KinesisClient;
  streamName: string;
  /** User records to put in total. */
  records: number;
  windowMs: number;
  prng: Prng;
  /**
   * Share of puts that are KPL aggregates.
   * @defaultValue 0.1
   */
  aggregateShare?: number;
  /** Called with each group of records Kinesis accepted. */
  onProduced?: (records: ProducedRecord[]) => void;
}

interface PendingEntry {
  ids: number[];
  aggregated: boolean;
  entry: PutRecordsRequestEntry;
}

const TICK_MS = 100;
const MAX_ENTRIES = 500;

export class Producer {
  readonly produced: ProducedRecord[] = [];
  putCalls = 0;
  aggregates = 0;
  retriedEntries = 0;
  private readonly options: ProducerOptions;
  private readonly controller = new AbortController();
  private nextId = 0;
  private running: Promise<void> | undefined;

  constructor(options: ProducerOptions) {
    this.options = options;
  }

  /** True once every record was accepted. */
  get done(): boolean {
    return this.produced.length >= this.options.records;
  }

  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  /** Stops after the call in flight. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { records, windowMs, prng } = this.options;
    const aggregateShare = this.options.aggregateShare ?? 0.1;
    const started = now();
    while (!this.controller.signal.aborted && this.nextId < records) {
      const due = Math.min(records, Math.ceil((records * (now() - started + TICK_MS)) / windowMs));
      const batch: PendingEntry[] = [];
      while (this.nextId < due && batch.length < MAX_ENTRIES) {
        batch.push(prng.chance(aggregateShare) ? this.makeAggregate(prng, records) : this.makePlain(prng));
      }
      if (batch.length > 0) await this.put(batch);
      if (this.nextId >= due) await sleep(TICK_MS, this.controller.signal);
    }
  }

  private makePlain(prng: Prng): PendingEntry {
    const id = this.nextId++;
    const data = encodePayload(id, drawPayloadSize(prng));
    return { ids: [id], aggregated: false, entry: { Data: data, PartitionKey: partitionKeyFor(prng) } };
  }

  /** An aggregate of 2-12 user records (fewer only at the very end). Draws never depend on timing, so a seed replays. */
  private makeAggregate(prng: Prng, total: number): PendingEntry {
    const count = Math.max(1, Math.min(prng.int(2, 12), total - this.nextId));
    const ids = Array.from({ length: count }, () => this.nextId++);
    const key = partitionKeyFor(prng);
    const data = encodeAggregate(
      key,
      ids.map((id) => encodePayload(id, prng.int(20, 150))),
    );
    this.aggregates++;
    return { ids, aggregated: true, entry: { Data: data, PartitionKey: key } };
  }

  /** Puts `batch` until Kinesis accepted every entry (rejected entries and failed calls again after 50 ms). */
  private async put(batch: PendingEntry[]): Promise<void> {
    try {
      const outcome = await putRecordsWithRetry(
        this.options.client,
        this.options.streamName,
        batch.map((p) => p.entry),
        {
          signal: this.controller.signal,
          maxAttempts: Infinity,
          retryDelayMs: () => 50,
          retryFailedCalls: true,
          onAccepted: (results) => this.accepted(batch, results),
        },
      );
      this.putCalls += outcome.calls;
      this.retriedEntries += outcome.retried;
    } catch (error) {
      if (!this.controller.signal.aborted) throw error;
    }
  }

  private accepted(batch: PendingEntry[], results: PutRecordResult[]): void {
    const at = now();
    const accepted: ProducedRecord[] = [];
    for (const { index, shardId, sequenceNumber } of results) {
      const pending = batch[index]!;
      pending.ids.forEach((id, sub) => accepted.push({ id, shard: shardId, seq: sequenceNumber, sub: pending.aggregated ? sub : null, at }));
    }
    this.produced.push(...accepted);
    this.options.onProduced?.(accepted);
  }
}

import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { setTimeout as sleep } from 'node:timers/promises';
import { listAllShards, putRecordsWithRetry } from '@kcl/testbed';

/** Where the producer's records landed. */
export type ProducedSink = (shardId: string, sequenceNumber: string) => void;

export interface ProducerStats {
  /** Records Kinesis accepted. */
  put: number;
  /** Records Kinesis rejected (not retried: they were never produced). */
  rejected: number;
  /** PutRecords calls that failed as a whole. */
  failedCalls: number;
}

const TICK_MILLIS = 100;
const MAX_BATCH = 500;
const RECORD_BYTES = 32;

/** Starting hash key of every shard of the stream (all pages). */
export async function shardStartingHashKeys(kinesis: KinesisClient, streamName: string): Promise<string[]> {
  return (await listAllShards(kinesis, streamName)).map((shard) => shard.HashKeyRange!.StartingHashKey!);
}

/**
 * Puts `rate` records per second (PutRecords every 100 ms), record i to shard i mod shards (ExplicitHashKey), and
 * tells `sink` where each accepted record landed. Calls run one after another; a tick missed while a call runs is made
 * up by a larger next batch (at most 500 records). Runs until stop().
 */
export class ScaleProducer {
  private stopped = false;
  private running: Promise<void> | undefined;
  private next = 0;
  readonly stats: ProducerStats = { put: 0, rejected: 0, failedCalls: 0 };

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly hashKeys: readonly string[],
    private readonly rate: number,
    private readonly sink: ProducedSink,
  ) {}

  start(): void {
    if (this.rate <= 0 || this.running) return;
    this.running = this.loop();
  }

  /** Stops after the call in flight; resolves when it ended. */
  async stop(): Promise<ProducerStats> {
    this.stopped = true;
    await this.running;
    return this.stats;
  }

  private async loop(): Promise<void> {
    const started = performance.now();
    while (!this.stopped) {
      const due = Math.floor(((performance.now() - started) / 1000) * this.rate);
      const count = Math.min(MAX_BATCH, due - this.next);
      if (count > 0) await this.put(count);
      if (!this.stopped) await sleep(TICK_MILLIS);
    }
  }

  private async put(count: number): Promise<void> {
    const entries: PutRecordsRequestEntry[] = [];
    for (let n = 0; n < count; n++) {
      const i = this.next++;
      const data = Buffer.alloc(RECORD_BYTES);
      data.writeUInt32BE(i, 0);
      entries.push({ PartitionKey: `pk-${i}`, ExplicitHashKey: this.hashKeys[i % this.hashKeys.length]!, Data: data });
    }
    try {
      // No retry: a rejected record is counted, never produced (the rate stays the rate asked for).
      const outcome = await putRecordsWithRetry(this.kinesis, this.streamName, entries, { maxAttempts: 1, throwIfRejected: false });
      this.stats.rejected += outcome.rejected.length;
      this.stats.put += outcome.results.length;
      for (const r of outcome.results) this.sink(r.shardId, r.sequenceNumber);
    } catch {
      this.stats.failedCalls++;
      this.stats.rejected += entries.length;
    }
  }
}

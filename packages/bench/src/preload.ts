import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { createTestStream, listAllShards, putRecordsWithRetry } from '@kcl/testbed';

/** A shard of the preloaded stream and how many records it holds. */
export interface PreloadedShard {
  shardId: string;
  records: number;
}

export interface PreloadResult {
  streamName: string;
  shards: PreloadedShard[];
  records: number;
  bytes: number;
  millis: number;
}

const PUT_BATCH = 500;
const PUT_CONCURRENCY = 4;
const MAX_PUT_ATTEMPTS = 10;

/**
 * Creates a stream of `shardCount` shards and writes `records` records of `recordBytes` bytes with PutRecords (500
 * per call). Record i goes to shard i mod shardCount (ExplicitHashKey = the shard's starting hash key), so every shard
 * holds the same number of records, give or take one.
 */
export async function preloadStream(
  kinesis: KinesisClient,
  options: { streamName: string; shardCount: number; records: number; recordBytes: number },
): Promise<PreloadResult> {
  const started = performance.now();
  const streamName = await createTestStream(kinesis, { shardCount: options.shardCount, name: options.streamName });
  const shards = (await listAllShards(kinesis, streamName)).map((s) => ({ shardId: s.ShardId!, startingHashKey: s.HashKeyRange!.StartingHashKey! }));
  if (shards.length !== options.shardCount) throw new Error(`expected ${options.shardCount} shards, ListShards returned ${shards.length}`);

  const payload = Buffer.alloc(options.recordBytes);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + 7) & 0xff;
  const entry = (i: number): PutRecordsRequestEntry => {
    const data = Buffer.from(payload);
    data.writeUInt32BE(i, 0); // every record distinct
    return { PartitionKey: `pk-${i}`, ExplicitHashKey: shards[i % shards.length]!.startingHashKey, Data: data };
  };

  let nextBatch = 0;
  const batches = Math.ceil(options.records / PUT_BATCH);
  const putter = async (): Promise<void> => {
    for (let b = nextBatch++; b < batches; b = nextBatch++) {
      const batch: PutRecordsRequestEntry[] = [];
      for (let i = b * PUT_BATCH; i < Math.min(options.records, (b + 1) * PUT_BATCH); i++) batch.push(entry(i));
      await putRecordsWithRetry(kinesis, streamName, batch, { maxAttempts: MAX_PUT_ATTEMPTS, retryDelayMs: () => 0 });
    }
  };
  await Promise.all(Array.from({ length: PUT_CONCURRENCY }, putter));

  const perShard = shards.map((s, idx) => ({
    shardId: s.shardId,
    records: Math.floor(options.records / shards.length) + (idx < options.records % shards.length ? 1 : 0),
  }));
  return {
    streamName,
    shards: perShard,
    records: options.records,
    bytes: options.records * options.recordBytes,
    millis: performance.now() - started,
  };
}

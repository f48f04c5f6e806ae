import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { sleep } from '@kcl/core';

/** PutRecords takes at most 500 entries per call. */
const BATCH = 500;
const ITEMS = ['book', 'lamp', 'chair', 'kettle', 'bike', 'plant'];

/** Sample record number `n`: a small JSON order, partition key `order-<n>` (spread over every shard). */
export function sampleRecord(n: number): PutRecordsRequestEntry {
  const order = { orderId: n, item: ITEMS[n % ITEMS.length], quantity: 1 + (n % 3), cents: 499 + ((n * 731) % 9000) };
  return { PartitionKey: `order-${n}`, Data: new TextEncoder().encode(JSON.stringify(order)) };
}

/** Writes sample records `first` .. `first + count - 1`, retrying entries the stream rejected. */
export async function putSampleRecords(client: KinesisClient, streamName: string, first: number, count: number, signal?: AbortSignal): Promise<void> {
  for (let start = first; start < first + count; start += BATCH) {
    let entries = Array.from({ length: Math.min(BATCH, first + count - start) }, (_, i) => sampleRecord(start + i));
    for (let attempt = 1; entries.length > 0; attempt++) {
      const out = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }), signal ? { abortSignal: signal } : {});
      const results = out.Records ?? [];
      entries = entries.filter((_, i) => results[i]?.ErrorCode !== undefined);
      if (entries.length > 0) {
        if (attempt >= 10) throw new Error(`PutRecords: ${entries.length} sample records still rejected after ${attempt} attempts`);
        await sleep(100 * attempt, signal);
      }
    }
  }
}

/** Keeps writing `perSecond` records a second, numbered from `first`, until `signal` aborts. */
export async function produceForever(client: KinesisClient, streamName: string, first: number, perSecond: number, signal: AbortSignal): Promise<void> {
  let next = first;
  while (!signal.aborted) {
    const began = Date.now();
    await putSampleRecords(client, streamName, next, perSecond, signal);
    next += perSecond;
    await sleep(Math.max(0, 1000 - (Date.now() - began)), signal);
  }
}

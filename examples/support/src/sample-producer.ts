import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { sleep } from '@kcl/core';
import { putRecordsWithRetry } from '@kcl/testbed';

const ITEMS = ['book', 'lamp', 'chair', 'kettle', 'bike', 'plant'];

/** Sample record number `n`: a small JSON order, partition key `order-<n>` (spread over every shard). */
export function sampleRecord(n: number): PutRecordsRequestEntry {
  const order = { orderId: n, item: ITEMS[n % ITEMS.length], quantity: 1 + (n % 3), cents: 499 + ((n * 731) % 9000) };
  return { PartitionKey: `order-${n}`, Data: new TextEncoder().encode(JSON.stringify(order)) };
}

/** Writes sample records `first` .. `first + count - 1`, retrying entries the stream rejected (10 attempts). */
export async function putSampleRecords(client: KinesisClient, streamName: string, first: number, count: number, signal?: AbortSignal): Promise<void> {
  const entries = Array.from({ length: count }, (_, i) => sampleRecord(first + i));
  await putRecordsWithRetry(client, streamName, entries, { ...(signal ? { signal } : {}), retryDelayMs: (attempt) => 100 * attempt });
}

/** Keeps writing `perSecond` records a second, numbered from `first`, until `signal` aborts. */
export async function produceForever(
  client: KinesisClient,
  streamName: string,
  first: number,
  perSecond: number,
  signal: AbortSignal,
): Promise<void> {
  let next = first;
  while (!signal.aborted) {
    const began = Date.now();
    await putSampleRecords(client, streamName, next, perSecond, signal);
    next += perSecond;
    await sleep(Math.max(0, 1000 - (Date.now() - began)), signal);
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { putRecordsWithRetry } from '@kcl/testbed';

/** Payload of demo record `id`: JSON with the id, so the ledger can tell every record apart. */
export function encodeRecord(id: number): Uint8Array {
  return Buffer.from(JSON.stringify({ id, at: Date.now(), pad: 'x'.repeat(64) }));
}

export function decodeRecordId(data: Uint8Array): number {
  const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { id?: unknown };
  if (typeof parsed.id !== 'number') throw new Error('demo record without id');
  return parsed.id;
}

export interface ProducerOptions {
  client: KinesisClient;
  streamName: string;
  records: number;
  /** Records per PutRecords call (max 500). */
  batchSize: number;
  /** Pause between calls, so consumption is visible while producing. */
  pauseMillis: number;
  onProduced(count: number): void;
  signal: AbortSignal;
}

/**
 * Puts records 0..records-1 in order, one PutRecords call at a time (so each shard receives them in id order),
 * retrying entries Kinesis rejected (they are put again before the next batch, 50 ms x attempt apart, 51 attempts).
 */
export async function produce(options: ProducerOptions): Promise<void> {
  const { client, streamName, records, batchSize, signal } = options;
  for (let start = 0; start < records && !signal.aborted; start += batchSize) {
    const entries: PutRecordsRequestEntry[] = [];
    for (let id = start; id < Math.min(records, start + batchSize); id++) {
      entries.push({ Data: encodeRecord(id), PartitionKey: `pk-${id % 997}-${(id * 7919) % 10007}` });
    }
    await putRecordsWithRetry(client, streamName, entries, {
      signal,
      maxAttempts: 51,
      onAccepted: (accepted) => options.onProduced(accepted.length),
    });
    if (options.pauseMillis > 0) await sleep(options.pauseMillis);
  }
}

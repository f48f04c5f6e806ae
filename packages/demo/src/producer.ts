import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';

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
 * retrying entries Kinesis rejected (they are put again before the next batch).
 */
export async function produce(options: ProducerOptions): Promise<void> {
  const { client, streamName, records, batchSize, signal } = options;
  for (let start = 0; start < records && !signal.aborted; start += batchSize) {
    let pending: { id: number; entry: PutRecordsRequestEntry }[] = [];
    for (let id = start; id < Math.min(records, start + batchSize); id++) {
      pending.push({ id, entry: { Data: encodeRecord(id), PartitionKey: `pk-${id % 997}-${(id * 7919) % 10007}` } });
    }
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 50) throw new Error(`PutRecords kept failing for ${pending.length} records`);
      const out = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: pending.map((p) => p.entry) }), { abortSignal: signal });
      const failed = pending.filter((_, i) => out.Records?.[i]?.ErrorCode !== undefined);
      options.onProduced(pending.length - failed.length);
      pending = failed;
      if (failed.length) await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
    if (options.pauseMillis > 0) await new Promise((r) => setTimeout(r, options.pauseMillis));
  }
}

import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { CallPacer } from './call-pacer';
import type { PreloadedShard } from './preload';

/** One drain of the whole stream. */
export interface DrainRun {
  records: number;
  bytes: number;
  millis: number;
}

export interface PlainDrainRun extends DrainRun {
  getRecordsCalls: number;
}

/**
 * The baseline: per shard, GetShardIterator(TRIM_HORIZON) then GetRecords(Limit = maxRecords) in a loop until the
 * shard's preloaded records are all read; all shards in parallel. GetRecords calls of one shard start at least
 * 200 ms apart (5 per second per shard, the limit the worker keeps), so this is a fair loop, not an unthrottled one.
 * No processing, no checkpoints, no leases: only counting.
 */
export async function drainWithPlainLoop(
  kinesis: KinesisClient,
  streamName: string,
  shards: readonly PreloadedShard[],
  maxRecords: number,
): Promise<PlainDrainRun> {
  let records = 0;
  let bytes = 0;
  let getRecordsCalls = 0;
  const started = performance.now();
  await Promise.all(
    shards.map(async (shard) => {
      const pacer = new CallPacer();
      const first = await kinesis.send(
        new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.shardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      let iterator = first.ShardIterator;
      let read = 0;
      while (read < shard.records) {
        if (!iterator) throw new Error(`${shard.shardId} ended after ${read} of ${shard.records} records`);
        await pacer.next();
        const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: maxRecords }));
        getRecordsCalls++;
        for (const record of out.Records ?? []) bytes += record.Data?.length ?? 0;
        read += out.Records?.length ?? 0;
        iterator = out.NextShardIterator;
      }
      records += read;
    }),
  );
  return { records, bytes, millis: performance.now() - started, getRecordsCalls };
}

/** Split and merge on the stand-in (kinesalite supports both), and the stream's shard listing. */
import { MergeShardsCommand, SplitShardCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import { listAllShards, waitForStreamActive } from '@kcl/testbed';
import type { FinalShard } from './log-lines';

export function toFinalShards(shards: Shard[]): FinalShard[] {
  return shards.map((s) => ({
    shard: s.ShardId ?? '',
    parents: [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => typeof p === 'string' && p !== ''),
    endingSeq: s.SequenceNumberRange?.EndingSequenceNumber,
  }));
}

function openShards(shards: Shard[]): Shard[] {
  return shards
    .filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined)
    .sort((a, b) => (BigInt(a.HashKeyRange?.StartingHashKey ?? '0') < BigInt(b.HashKeyRange?.StartingHashKey ?? '0') ? -1 : 1));
}

/** Splits the open shard chosen by `pick` (in [0, 1)) at the middle of its hash key range. Returns a description. */
export async function splitShard(client: KinesisClient, streamName: string, pick: number): Promise<string> {
  await waitForStreamActive(client, streamName);
  const open = openShards(await listAllShards(client, streamName));
  const shard = open[Math.floor(pick * open.length)];
  if (!shard?.ShardId || !shard.HashKeyRange?.StartingHashKey || !shard.HashKeyRange.EndingHashKey) throw new Error('no open shard to split');
  const start = BigInt(shard.HashKeyRange.StartingHashKey);
  const end = BigInt(shard.HashKeyRange.EndingHashKey);
  const middle = (start + end + 1n) / 2n;
  await client.send(new SplitShardCommand({ StreamName: streamName, ShardToSplit: shard.ShardId, NewStartingHashKey: middle.toString() }));
  await waitForStreamActive(client, streamName);
  return `split ${shard.ShardId}`;
}

/** Merges the pair of adjacent open shards chosen by `pick`. Returns a description. */
export async function mergeShards(client: KinesisClient, streamName: string, pick: number): Promise<string> {
  await waitForStreamActive(client, streamName);
  const open = openShards(await listAllShards(client, streamName));
  const pairs: Array<[Shard, Shard]> = [];
  for (let i = 0; i + 1 < open.length; i++) {
    const a = open[i]!;
    const b = open[i + 1]!;
    if (BigInt(a.HashKeyRange?.EndingHashKey ?? '-1') + 1n === BigInt(b.HashKeyRange?.StartingHashKey ?? '-2')) pairs.push([a, b]);
  }
  const pair = pairs[Math.floor(pick * pairs.length)];
  if (!pair) throw new Error('no adjacent open shards to merge');
  await client.send(new MergeShardsCommand({ StreamName: streamName, ShardToMerge: pair[0].ShardId, AdjacentShardToMerge: pair[1].ShardId }));
  await waitForStreamActive(client, streamName);
  return `merged ${pair[0].ShardId} + ${pair[1].ShardId}`;
}

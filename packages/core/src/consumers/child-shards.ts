/**
 * Converts the ChildShards of a GetRecords / SubscribeToShard response at shard end.
 * @internal
 */
import type { ChildShard } from '@aws-sdk/client-kinesis';
import type { ChildShardInfo } from '../shards/shard-registry';

/** The children reported by Kinesis; `[]` when the response has none (kinesalite never sends them). */
export function toChildShardInfos(childShards: readonly ChildShard[] | undefined): ChildShardInfo[] {
  if (!childShards) return [];
  const result: ChildShardInfo[] = [];
  for (const child of childShards) {
    if (typeof child.ShardId !== 'string') continue;
    const range = child.HashKeyRange;
    result.push({
      shardId: child.ShardId,
      parentShards: [...(child.ParentShards ?? [])],
      hashKeyRange:
        range?.StartingHashKey !== undefined && range.EndingHashKey !== undefined
          ? { startingHashKey: range.StartingHashKey, endingHashKey: range.EndingHashKey }
          : undefined,
    });
  }
  return result;
}

import { ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import { KinesisError } from '../errors';
import { describeKinesisCredentialsError } from '../kinesis/credentials-errors';
import type { ShardInfo } from './shard-registry';

/**
 * Lists every shard of `streamName` with ListShards, following NextToken across pages. (The SDK has no ListShards
 * paginator, and a follow-up request must carry only the NextToken, not the stream name.)
 * @throws KinesisError wrapping the SDK error (aborts are rethrown as they are); not retryable for missing or rejected
 *   credentials
 */
export async function listAllShards(kinesis: KinesisClient, streamName: string, signal?: AbortSignal): Promise<ShardInfo[]> {
  const shards: ShardInfo[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const input = nextToken === undefined ? { StreamName: streamName } : { NextToken: nextToken };
    let output;
    try {
      output = await kinesis.send(new ListShardsCommand(input), signal ? { abortSignal: signal } : {});
    } catch (error) {
      if (signal?.aborted) throw error;
      // No credentials, or rejected ones: retrying cannot help, and the message says what to configure.
      const credentialsProblem = describeKinesisCredentialsError(error, `ListShards on stream "${streamName}"`);
      if (credentialsProblem !== undefined) throw new KinesisError(credentialsProblem, { cause: error, retryable: false });
      throw new KinesisError(`ListShards failed for stream ${streamName}: ${describe(error)}`, {
        cause: error,
        retryable: isRetryable(error),
      });
    }
    for (const shard of output.Shards ?? []) {
      const info = toShardInfo(shard);
      if (info) shards.push(info);
    }
    nextToken = output.NextToken;
    pages += 1;
    if (pages > 10_000) throw new KinesisError(`ListShards for stream ${streamName} returned more than 10000 pages`);
  } while (nextToken !== undefined && nextToken !== '');
  return shards;
}

/** Converts a ListShards entry; undefined for an entry without a shard id. */
export function toShardInfo(shard: Shard): ShardInfo | undefined {
  if (!shard.ShardId) return undefined;
  const parentShardIds: string[] = [];
  if (shard.ParentShardId) parentShardIds.push(shard.ParentShardId);
  if (shard.AdjacentParentShardId && shard.AdjacentParentShardId !== shard.ParentShardId) {
    parentShardIds.push(shard.AdjacentParentShardId);
  }
  const range = shard.HashKeyRange;
  return {
    shardId: shard.ShardId,
    parentShardIds,
    hashKeyRange:
      range?.StartingHashKey !== undefined && range.EndingHashKey !== undefined
        ? { startingHashKey: range.StartingHashKey, endingHashKey: range.EndingHashKey }
        : undefined,
    startingSequenceNumber: shard.SequenceNumberRange?.StartingSequenceNumber,
    endingSequenceNumber: shard.SequenceNumberRange?.EndingSequenceNumber,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function isRetryable(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return name !== 'ResourceNotFoundException' && name !== 'InvalidArgumentException' && name !== 'AccessDeniedException';
}

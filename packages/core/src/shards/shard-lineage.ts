import { SHARD_END, type ShardStatus } from '../checkpoint/shard-status';
import type { ShardRegistry } from './shard-registry';

/** Where a parent shard stands, as seen by {@link unfinishedParents}. */
export interface LineageInput {
  registry: ShardRegistry;
  /** The lease table as last read, by shard id. */
  leases: ReadonlyMap<string, ShardStatus>;
  /** Shards this worker saw end (TERMINATE) since the table was last read. */
  endedLocally: ReadonlySet<string>;
}

/** Every parent of `shardId` known from ListShards, ChildShards or the child's lease row. */
export function parentsOf(shardId: string, input: LineageInput): string[] {
  const parents = [...(input.registry.get(shardId)?.parentShardIds ?? [])];
  const lease = input.leases.get(shardId);
  for (const p of lease?.parentShardIds ?? []) if (!parents.includes(p)) parents.push(p);
  if (lease?.parentShardId && !parents.includes(lease.parentShardId)) parents.push(lease.parentShardId);
  return parents;
}

/**
 * Parents of `shardId` that still block it. A child is processed only after ALL its parents (both, for a merge) are
 * checkpointed at SHARD_END, so records of one partition key stay in order across a reshard. A parent that is gone
 * from the stream (trimmed after the retention period) can never be read again and no longer blocks its children.
 */
export function unfinishedParents(shardId: string, input: LineageInput): string[] {
  return parentsOf(shardId, input).filter((parent) => !isFinished(parent, input));
}

function isFinished(parent: string, input: LineageInput): boolean {
  if (input.endedLocally.has(parent)) return true;
  if (input.leases.get(parent)?.checkpoint === SHARD_END) return true;
  return input.registry.synced && !input.registry.has(parent);
}

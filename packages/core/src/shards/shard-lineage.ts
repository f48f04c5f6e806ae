import { SHARD_END, type ShardStatus } from '../checkpoint/shard-status';
import type { ShardRegistry } from './shard-registry';

/** Where a parent shard stands, as seen by {@link unfinishedParents}. */
export interface LineageInput {
  registry: ShardRegistry;
  /** The lease table as last read, by shard id. */
  leases: ReadonlyMap<string, ShardStatus>;
  /** Shards this worker saw end (TERMINATE) since the table was last read. */
  endedLocally: ReadonlySet<string>;
  /** Shards whose lease was removed by the lease cleanup ({@link finishedWithoutLease}): finished for good. */
  finishedWithoutLease?: ReadonlySet<string> | undefined;
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
  const lease = input.leases.get(parent);
  if (lease?.checkpoint === SHARD_END) return true;
  if (!lease && input.finishedWithoutLease?.has(parent)) return true;
  return input.registry.synced && !input.registry.has(parent);
}

/**
 * Known shards that have no lease row, are closed (ListShards gave them an ending sequence number), and whose known
 * children ALL have lease rows. A child gets a lease row only once all its parents are finished, so such a shard was
 * finished and its lease removed by the lease cleanup (`lease-cleanup.ts`) after the shard was trimmed. It must never
 * be leased again and does not block its children, also while this worker's last ListShards still shows it (another
 * worker may have listed the shards and removed the lease since). Children come from the registry (ListShards,
 * ChildShards) and from the parent ids stored in the lease rows.
 */
export function finishedWithoutLease(registry: ShardRegistry, leases: ReadonlyMap<string, ShardStatus>): Set<string> {
  const children = childrenByParent(registry, leases);
  const finished = new Set<string>();
  for (const shard of registry.all()) {
    if (leases.has(shard.shardId) || shard.endingSequenceNumber === undefined) continue;
    const known = children.get(shard.shardId);
    if (known && known.size > 0 && [...known].every((child) => leases.has(child))) finished.add(shard.shardId);
  }
  return finished;
}

/**
 * parent id -> ids of its known children: every shard of the registry (ListShards, ChildShards) and every lease row,
 * with the parents {@link parentsOf} finds for it.
 */
export function childrenByParent(registry: ShardRegistry, leases: ReadonlyMap<string, ShardStatus>): Map<string, Set<string>> {
  const lineage = { registry, leases, endedLocally: new Set<string>() };
  const children = new Map<string, Set<string>>();
  const add = (child: string): void => {
    for (const parent of parentsOf(child, lineage)) {
      const set = children.get(parent);
      if (set) set.add(child);
      else children.set(parent, new Set([child]));
    }
  };
  for (const shard of registry.all()) add(shard.shardId);
  for (const id of leases.keys()) add(id);
  return children;
}

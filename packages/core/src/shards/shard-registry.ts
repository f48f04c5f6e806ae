/** A child shard reported by GetRecords/SubscribeToShard at shard end. */
export interface ChildShardInfo {
  shardId: string;
  parentShards: string[];
  hashKeyRange?: { startingHashKey: string; endingHashKey: string } | undefined;
}

/** What the worker knows about one shard of the stream. */
export interface ShardInfo {
  shardId: string;
  /** Every parent (one for a split, two for a merge, none for an original shard). */
  parentShardIds: string[];
  hashKeyRange?: { startingHashKey: string; endingHashKey: string } | undefined;
  startingSequenceNumber?: string | undefined;
  /** Set once the shard is closed (it was split or merged). */
  endingSequenceNumber?: string | undefined;
}

interface Entry {
  info: ShardInfo;
  /** True when the last complete ListShards listing contained the shard. */
  listed: boolean;
}

/**
 * The worker's view of the stream's shards, fed by the periodic ListShards sync and by the child shards a consumer
 * reports at shard end (ChildShards), which may be known before the next listing shows them.
 */
export class ShardRegistry {
  private readonly shards = new Map<string, Entry>();
  private listedOnce = false;

  /**
   * Replaces the view with a complete listing. Children learned from ChildShards and not yet listed are kept (the
   * listing may lag behind); shards that disappeared from the stream (trimmed after the retention period) are dropped.
   * @returns ids of shards that were not known before
   */
  applyListing(shards: readonly ShardInfo[]): string[] {
    const added: string[] = [];
    const listedIds = new Set<string>();
    for (const info of shards) {
      listedIds.add(info.shardId);
      const previous = this.shards.get(info.shardId);
      if (!previous) added.push(info.shardId);
      this.shards.set(info.shardId, { info: mergeInfo(previous?.info, info), listed: true });
    }
    for (const [id, entry] of this.shards) {
      if (listedIds.has(id)) continue;
      if (entry.listed) this.shards.delete(id);
    }
    this.listedOnce = true;
    return added;
  }

  /**
   * Adds children reported at shard end. Parents of a merge are recorded from every report.
   * @returns ids of shards that were not known before
   */
  addChildren(children: readonly ChildShardInfo[]): string[] {
    const added: string[] = [];
    for (const child of children) {
      const info: ShardInfo = {
        shardId: child.shardId,
        parentShardIds: [...child.parentShards],
        hashKeyRange: child.hashKeyRange ? { ...child.hashKeyRange } : undefined,
      };
      const previous = this.shards.get(child.shardId);
      if (!previous) added.push(child.shardId);
      this.shards.set(child.shardId, { info: mergeInfo(previous?.info, info), listed: previous?.listed ?? false });
    }
    return added;
  }

  get(shardId: string): ShardInfo | undefined {
    return this.shards.get(shardId)?.info;
  }

  has(shardId: string): boolean {
    return this.shards.has(shardId);
  }

  /** True once a complete listing was applied. */
  get synced(): boolean {
    return this.listedOnce;
  }

  /** Every known shard, sorted by id. */
  all(): ShardInfo[] {
    return [...this.shards.keys()].sort().map((id) => (this.shards.get(id) as Entry).info);
  }

  get size(): number {
    return this.shards.size;
  }
}

function mergeInfo(previous: ShardInfo | undefined, next: ShardInfo): ShardInfo {
  if (!previous) return { ...next, parentShardIds: [...next.parentShardIds] };
  const parents = [...previous.parentShardIds];
  for (const p of next.parentShardIds) if (!parents.includes(p)) parents.push(p);
  return {
    shardId: next.shardId,
    parentShardIds: parents,
    hashKeyRange: next.hashKeyRange ?? previous.hashKeyRange,
    startingSequenceNumber: next.startingSequenceNumber ?? previous.startingSequenceNumber,
    endingSequenceNumber: next.endingSequenceNumber ?? previous.endingSequenceNumber,
  };
}

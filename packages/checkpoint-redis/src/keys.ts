/**
 * The Redis keys of one application (one lease table).
 *
 * go-kcl layout (default on a single server), for prefix "kcl" and table "orders":
 * - `kcl:orders:shard:shardId-000000000001`: hash, the lease of one shard
 * - `kcl:orders:shards`: set of every shard id that has a lease
 *
 * Fleet coordination adds (keys go-kcl never reads):
 * - `kcl:orders:leader`: hash, the coordinator (leader) lease (AssignedTo, LeaseCounter, LeaseToken)
 * - `kcl:orders:workers`: hash, the worker registry (field = worker id, value = heartbeat counter)
 * - `kcl:orders:owner:<workerId>`: set of the shard ids whose lease that worker owns (kept by the lease scripts)
 *
 * With a hash tag (default on a Redis Cluster) the table name is wrapped in braces, `kcl:{orders}:shard:...` and
 * `kcl:{orders}:shards`, so all keys of the application hash to one slot and a script may touch several of them.
 */
export interface LeaseKeys {
  /** Common start of every key of the application, e.g. `kcl:orders` or `kcl:{orders}`. */
  readonly base: string;
  /** The set of shard ids. */
  readonly shards: string;
  /** The lease hash of `shardId`. */
  shard(shardId: string): string;
  /** Start of every lease hash key (`shard(id)` = this + id). */
  readonly shardPrefix: string;
  /** The coordinator (leader) lease hash. */
  readonly leader: string;
  /** The worker registry hash. */
  readonly workers: string;
  /** Start of every owner set key (`ownerSet(id)` = this + id). */
  readonly ownerPrefix: string;
  /** The set of shard ids owned by `workerId`. */
  ownerSet(workerId: string): string;
}

/** Builds the key layout for `keyPrefix` and `tableName`. */
export function leaseKeys(keyPrefix: string, tableName: string, hashTag: boolean): LeaseKeys {
  const base = hashTag ? `${keyPrefix}:{${tableName}}` : `${keyPrefix}:${tableName}`;
  const shardPrefix = `${base}:shard:`;
  const ownerPrefix = `${base}:owner:`;
  return {
    base,
    shards: `${base}:shards`,
    shard: (shardId: string) => shardPrefix + shardId,
    shardPrefix,
    leader: `${base}:leader`,
    workers: `${base}:workers`,
    ownerPrefix,
    ownerSet: (workerId: string) => ownerPrefix + workerId,
  };
}

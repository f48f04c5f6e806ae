/**
 * The lease of one shard as the worker and the lease store see it. Mirrors go-kcl's `par.ShardStatus`; backends read
 * a stored lease into it and write it back. It is a plain mutable object: Checkpointer methods update it in place.
 */

/** Checkpoint value marking a shard that was read to its end (go-kcl and the Java KCL use the same string). */
export const SHARD_END = 'SHARD_END';

/** A sequence number plus the sub-sequence number of a de-aggregated KPL record inside it. */
export interface ExtendedSequenceNumber {
  sequenceNumber: string;
  /** Position of a user record inside a KPL aggregate; undefined (or 0) for plain records. */
  subSequenceNumber?: number | undefined;
}

export interface ShardStatus {
  /** The shard id, e.g. `shardId-000000000001`. Key of the lease. */
  id: string;
  /**
   * First parent (go-kcl's single `ParentShardId` attribute). For a merge the second parent is in
   * {@link parentShardIds}, which always holds every parent.
   */
  parentShardId?: string | undefined;
  /** Every parent shard id (two for a merge). A child is processed only after all are at SHARD_END. */
  parentShardIds: string[];
  /** Last checkpointed sequence number, or {@link SHARD_END}. Undefined when nothing was checkpointed yet. */
  checkpoint?: string | undefined;
  /** Sub-sequence number of the checkpoint inside a KPL aggregate (0 or undefined for whole records). */
  subSequenceNumber?: number | undefined;
  /** Worker id currently holding the lease; undefined when unowned. Stored as `AssignedTo`. */
  assignedTo?: string | undefined;
  /**
   * Informational expiry written with each take/renew (`now + failoverTimeMillis`), kept for go-kcl tooling. `now` is
   * the writing worker's clock for DynamoDB (and the in-memory store), the Redis server's clock (`TIME`) for Redis.
   * Never used to decide expiry: expiry is decided by watching {@link leaseCounter} (see LeaseObserver).
   */
  leaseTimeout?: Date | undefined;
  /**
   * Incremented by the store on every take, renew and release. A lease whose counter has not moved for the failover
   * time, as measured on the observer's own monotonic clock, is expired. Missing in go-kcl rows: read as 0.
   */
  leaseCounter: number;
  /**
   * Random token the store sets on every take; unchanged by renewals. Checkpoints and renewals are conditional on
   * it, so a worker that lost the lease (even if it later re-took it) cannot write with a stale tenure.
   */
  leaseToken?: string | undefined;
  /** Worker id that asked to steal this lease (go-kcl's `ClaimRequest`). */
  claimRequest?: string | undefined;
  /** From ListShards: the shard's first sequence number. */
  startingSequenceNumber?: string | undefined;
  /** From ListShards: set once the shard is closed (split or merged). */
  endingSequenceNumber?: string | undefined;
  /** From ListShards: the shard's hash key range, used to drop KPL records that belong to another shard. */
  hashKeyRange?: { startingHashKey: string; endingHashKey: string } | undefined;
}

/**
 * Creates a ShardStatus with the required fields filled in and every other field of `init` copied.
 *
 * One object literal naming every field, always in the same order, rather than a spread of `init`: objects of one
 * shape share one hidden class in V8. A spread whose inline cache has seen several shapes of `init` gives every
 * result a hidden class of its own (about 400 bytes each), and a worker keeps one of these per lease it holds.
 */
export function createShardStatus(id: string, init: Partial<Omit<ShardStatus, 'id'>> = {}): ShardStatus {
  const parentShardIds = init.parentShardIds ?? (init.parentShardId ? [init.parentShardId] : []);
  return {
    id,
    parentShardId: init.parentShardId ?? parentShardIds[0],
    parentShardIds,
    checkpoint: init.checkpoint,
    subSequenceNumber: init.subSequenceNumber,
    assignedTo: init.assignedTo,
    leaseTimeout: init.leaseTimeout,
    leaseCounter: init.leaseCounter ?? 0,
    leaseToken: init.leaseToken,
    claimRequest: init.claimRequest,
    startingSequenceNumber: init.startingSequenceNumber,
    endingSequenceNumber: init.endingSequenceNumber,
    hashKeyRange: init.hashKeyRange,
  };
}

import type { ShardStatus } from './shard-status';

/**
 * The lease store contract (go-kcl's `Checkpointer`, camelCase and async). Backends: `@kcl/checkpoint-dynamodb`,
 * `@kcl/checkpoint-redis`; every backend must pass the conformance suite in `@kcl/core/testing`.
 *
 * Safety rules every implementation follows (each transition is ONE conditional write or ONE Lua script):
 * - Every write that changes the owner (take, renew, release) increments `leaseCounter` atomically.
 * - Expiry is never decided by the store or by comparing clocks: the worker watches `leaseCounter` on its own
 *   monotonic clock (LeaseObserver) and only then asks the store to take the lease at the counter it observed.
 * - Renewals and checkpoints are conditional on `assignedTo` and `leaseToken`, so a worker that lost a lease can
 *   never overwrite the new owner's lease or checkpoint.
 *
 * Errors: {@link LeaseNotAcquiredError}, {@link LeaseLostError}, {@link ShardClaimedError},
 * {@link SequenceNotFoundError}, {@link NoLeaseOwnerError}, and LeaseStore* errors for connectivity/auth problems.
 */
export interface Checkpointer {
  /** Connects, creates the table / checks the server, validates credentials. Idempotent. */
  init(): Promise<void>;

  /**
   * Takes or renews the lease of `shard` for `newAssignTo`.
   *
   * Renew (`shard.assignedTo === newAssignTo` and `shard.leaseToken` set): succeeds only if the stored lease still
   * has that owner and token; increments the counter. Throws {@link LeaseLostError} otherwise.
   *
   * Take (any other case): succeeds only if the stored lease is absent (and `shard.leaseCounter` is 0) or its
   * counter still equals `shard.leaseCounter` (the value the caller observed). Sets the owner, a new token,
   * increments the counter and clears `claimRequest`. Creates the lease (with `shard`'s parent ids) if absent.
   * Throws {@link LeaseNotAcquiredError} if the condition fails. Never takes a lease checkpointed at SHARD_END.
   *
   * On success `shard` is updated in place with the stored state (owner, counter, token, checkpoint,
   * subSequenceNumber, claimRequest, parent ids, leaseTimeout).
   */
  getLease(shard: ShardStatus, newAssignTo: string): Promise<void>;

  /**
   * Writes `shard.checkpoint` (and `shard.subSequenceNumber`) conditional on `shard.assignedTo` and
   * `shard.leaseToken` still being the stored ones. Throws {@link LeaseLostError} if not. Does not change the
   * counter.
   */
  checkpointSequence(shard: ShardStatus): Promise<void>;

  /**
   * Reads the stored lease into `shard` (checkpoint, subSequenceNumber, owner, counter, token, claimRequest,
   * parents). Throws {@link SequenceNotFoundError} if there is no lease or it has no checkpoint (the other fields
   * are still filled in when a lease exists).
   */
  fetchCheckpoint(shard: ShardStatus): Promise<void>;

  /** Deletes the lease of `shardId` (used for shards that no longer exist). No error if absent. */
  removeLeaseInfo(shardId: string): Promise<void>;

  /**
   * Releases the lease of `shardId` if this worker (the config's workerId) owns it: removes the owner, increments
   * the counter, keeps checkpoint and claimRequest. Throws {@link LeaseLostError} if another worker owns it.
   */
  removeLeaseOwner(shardId: string): Promise<void>;

  /** Returns the owner of `shardId`. Throws {@link NoLeaseOwnerError} if unowned or absent. */
  getLeaseOwner(shardId: string): Promise<string>;

  /**
   * Reads every lease (all pages) and groups the owned, unfinished (not SHARD_END) ones by owner. Entries of
   * `shardStatus` whose ids are stored are updated with the stored state.
   */
  listActiveWorkers(shardStatus: Map<string, ShardStatus>): Promise<Map<string, ShardStatus[]>>;

  /**
   * Asks the owner of `shard` to hand it over to `claimId` (lease stealing). Conditional on the stored owner being
   * `shard.assignedTo`, no claim pending and the lease not at SHARD_END. Throws {@link ShardClaimedError} if a claim
   * is pending, {@link LeaseNotAcquiredError} if the owner changed. Does not change the counter or owner.
   */
  claimShard(shard: ShardStatus, claimId: string): Promise<void>;

  /** Every stored lease, reading all pages. */
  listLeases(): Promise<ShardStatus[]>;

  /** Releases connections the checkpointer created (never an injected client). Idempotent. */
  close(): Promise<void>;
}

import type { ShardStatus } from './shard-status';

/**
 * The lease store contract (go-kcl's `Checkpointer`, camelCase and async). Backends: `@kcl/checkpoint-dynamodb`,
 * `@kcl/checkpoint-redis`; every backend must pass the conformance suite in `@kcl/core/testing`.
 *
 * Safety rules every implementation follows (each transition is ONE conditional write or ONE Lua script):
 * - Every write that changes the owner (take, renew, release) increments `leaseCounter` atomically.
 * - Expiry is never decided by the store or by comparing clocks: the worker watches `leaseCounter` on its own
 *   monotonic clock (LeaseObserver) and only then asks the store to take the lease at the counter it observed.
 * - Renewals, checkpoints and releases are conditional on `assignedTo` AND `leaseToken` (the token of the tenure
 *   acting), so a worker that lost a lease - also a stale instance with the same worker id, e.g. a restarted or
 *   resumed process - can never overwrite or release the new owner's lease or checkpoint.
 * - A checkpoint never moves backwards and SHARD_END is final, enforced by the store itself in the same conditional
 *   write (see {@link judgeCheckpointMove}); only a lease at SHARD_END is ever deleted.
 *
 * Errors: {@link LeaseNotAcquiredError}, {@link LeaseLostError}, {@link ShardClaimedError},
 * {@link SequenceNotFoundError}, {@link NoLeaseOwnerError}, {@link CheckpointOrderError},
 * {@link LeaseNotFinishedError}, and LeaseStore* errors for connectivity/auth problems.
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
   *
   * Order, checked by the store in the same atomic write ({@link judgeCheckpointMove}): the new checkpoint must not be
   * before the stored one - sequence numbers compared as exact big integers (any length), then the sub-sequence
   * number, where none (the whole record) orders after every sub-sequence number of the same record. SHARD_END may
   * be written over any sequence number (by the owner, at shard end) and is final: nothing but SHARD_END again may
   * follow it. Writing the stored checkpoint again succeeds as an idempotent no-op, so a retried write (also one the
   * store already applied) succeeds. A refused write throws {@link CheckpointOrderError} and changes nothing; when
   * the caller does not hold the lease, {@link LeaseLostError} wins.
   * Throws InvalidArgumentError unless the checkpoint is a Kinesis sequence number or SHARD_END
   * ({@link assertStorableCheckpoint}).
   */
  checkpointSequence(shard: ShardStatus): Promise<void>;

  /**
   * Reads the stored lease into `shard` (checkpoint, subSequenceNumber, owner, counter, token, claimRequest,
   * parents). Throws {@link SequenceNotFoundError} if there is no lease or it has no checkpoint (the other fields
   * are still filled in when a lease exists).
   */
  fetchCheckpoint(shard: ShardStatus): Promise<void>;

  /**
   * Deletes the lease of `shardId` (the lease cleanup does this for finished shards that are gone from the stream),
   * only if it is checkpointed at SHARD_END, in one conditional write. No error if absent. Throws
   * {@link LeaseNotFinishedError} and deletes nothing when the stored lease is not at SHARD_END (e.g. it was removed
   * and re-created since the caller read it).
   */
  removeLeaseInfo(shardId: string): Promise<void>;

  /**
   * Releases the lease of `shardId` held by this worker (the config's workerId) in the tenure of `leaseToken` (the
   * token its take returned): removes owner and token, increments the counter, keeps checkpoint and claimRequest.
   * Conditional on BOTH the stored owner and the stored token, so a stale instance of the same worker id (a restarted
   * process, one resumed after a pause) can never release the lease of the live owner. Throws {@link LeaseLostError}
   * and changes nothing if another worker owns it or the stored token differs; a no-op when the lease is unowned or
   * absent. Throws InvalidArgumentError for an empty `leaseToken`.
   */
  removeLeaseOwner(shardId: string, leaseToken: string): Promise<void>;

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

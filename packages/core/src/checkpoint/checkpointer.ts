import type { CoordinatorLease, OwnedLease, WorkerHeartbeat } from './coordination';
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
 * Fleet coordination (worker registry, coordinator lease, owner index, direct hand-off) is part of the contract:
 * see the methods from {@link Checkpointer.heartbeat} on. `listOwnedLeases` is a hint; the conditional writes decide.
 *
 * Errors: {@link LeaseNotAcquiredError}, {@link LeaseLostError}, {@link ShardClaimedError},
 * {@link SequenceNotFoundError}, {@link NoLeaseOwnerError}, {@link CheckpointOrderError},
 * {@link LeaseNotFinishedError}, and LeaseStore* errors for connectivity/auth problems.
 */
export interface Checkpointer {
  /** Connects, creates the table / checks the server, validates credentials. Idempotent. */
  init(): Promise<void>;

  /**
   * Takes the lease of `shard` for `newAssignTo` (a free lease, an expired one, or a re-take of its own): succeeds only
   * if the stored lease is absent (and `shard.leaseCounter` is 0) or its counter still equals `shard.leaseCounter`
   * (the value the caller observed). Sets the owner, a new token, increments the counter and clears `claimRequest`.
   * Creates the lease (with `shard`'s parent ids) if absent. Never takes a lease checkpointed at SHARD_END.
   * `shard.assignedTo` and `shard.leaseToken` are ignored: only the observed counter decides.
   *
   * On success `shard` is updated in place with the stored state (owner, counter, token, checkpoint,
   * subSequenceNumber, claimRequest, parent ids, leaseTimeout). Throws {@link LeaseNotAcquiredError} (nothing
   * changed) if the condition fails; InvalidArgumentError for an empty `newAssignTo` or a negative / non-integer
   * `shard.leaseCounter`.
   */
  takeLease(shard: ShardStatus, newAssignTo: string): Promise<void>;

  /**
   * Renews the lease of `shard` held by `workerId` in the tenure of `shard.leaseToken`: succeeds only if the stored
   * lease still has that owner and that token; increments the counter and keeps the token, the checkpoint and
   * `claimRequest`. Never creates a lease. On success `shard` is updated in place with the stored state (as for
   * {@link Checkpointer.takeLease}). Throws {@link LeaseLostError} (nothing changed) if the lease is absent, unowned,
   * owned by another worker or in another tenure (another token); InvalidArgumentError for an empty `workerId` or a
   * missing / empty `shard.leaseToken`.
   *
   * go-kcl's `getLease` (take or renew, told apart by the fields of `shard`) is derived from these two once in core:
   * `takeOrRenewLease` (checkpoint/lease-transitions.ts).
   */
  renewLease(shard: ShardStatus, workerId: string): Promise<void>;

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

  // ---- Fleet coordination (docs/design/fleet-coordination.md). Coordination entries are kept apart from the shard
  // leases: they never appear in listLeases / listActiveWorkers and never count as shards.

  /**
   * Adds 1 to the registry counter of `workerId`, creating its entry (counter 1) if absent. One write. Other workers
   * (the leader) judge liveness by watching the counter move on their own monotonic clock.
   * Throws InvalidArgumentError for an empty `workerId`.
   */
  heartbeat(workerId: string): Promise<void>;

  /** Deletes the registry entry of `workerId`. No error if absent. Throws InvalidArgumentError for an empty id. */
  removeWorker(workerId: string): Promise<void>;

  /** Every registry entry (all pages), in no particular order. */
  listWorkers(): Promise<WorkerHeartbeat[]>;

  /** Reads the coordinator lease; undefined if it was never taken. */
  getCoordinatorLease(): Promise<CoordinatorLease | undefined>;

  /**
   * Takes the coordinator lease for `workerId`: succeeds only if it is absent (and `observedCounter` is 0) or its
   * stored counter still equals `observedCounter` (the value the caller watched, as for a shard take). Sets the
   * owner, a new token and increments the counter, in one conditional write. Returns the stored lease.
   * Throws {@link LeaseNotAcquiredError} (nothing changed) if the condition fails, InvalidArgumentError for an empty
   * `workerId` or a negative / non-integer `observedCounter`.
   */
  takeCoordinatorLease(workerId: string, observedCounter: number): Promise<CoordinatorLease>;

  /**
   * Renews the coordinator lease: conditional on the stored owner being `workerId` and the stored token `leaseToken`;
   * increments the counter, keeps the token. Returns the stored lease. Throws {@link LeaseLostError} (nothing
   * changed) if another worker holds it, the token differs (a later tenure) or it is unowned or absent.
   */
  renewCoordinatorLease(workerId: string, leaseToken: string): Promise<CoordinatorLease>;

  /**
   * Releases the coordinator lease (graceful shutdown of the leader): conditional on owner `workerId` and token
   * `leaseToken`; removes owner and token and increments the counter, so others may take it at once. A no-op when it
   * is unowned or absent. Throws {@link LeaseLostError} (nothing changed) if another worker holds it or the token
   * differs; InvalidArgumentError for an empty token.
   */
  releaseCoordinatorLease(workerId: string, leaseToken: string): Promise<void>;

  /**
   * The shard leases whose owner is `workerId` (ids and counters), without reading the whole table (DynamoDB: a
   * Query on the `AssignedTo` index; Redis: the per-owner set). A HINT only: it may lag behind recent writes (a
   * DynamoDB GSI is eventually consistent) and may include a lease that just moved on or miss one just assigned. Read
   * the lease itself and renew it conditionally (owner and token) before acting on it: the conditional renewal
   * decides. Leases at SHARD_END that are still owned are included.
   */
  listOwnedLeases(workerId: string): Promise<OwnedLease[]>;

  /**
   * Hands the lease of `shardId` over from its owner `fromWorker` to `toWorker` (the end of a hand-off after a claim),
   * in one conditional write: the stored owner must be `fromWorker` and the stored token `leaseToken`. Sets
   * `assignedTo = toWorker`, a new token, increments the counter and clears `claimRequest`; keeps the checkpoint.
   * Returns the stored lease (with the new token: the new owner still renews it, on its own clock, before it
   * processes). Throws {@link LeaseLostError} (nothing changed) if the lease is absent, owned by another worker or in
   * a later tenure (another token); {@link LeaseNotAcquiredError} (nothing changed) if it is checkpointed at
   * SHARD_END (a finished shard is never handed over); InvalidArgumentError for an empty token or worker id, or
   * `toWorker === fromWorker`.
   */
  transferLease(shardId: string, leaseToken: string, fromWorker: string, toWorker: string): Promise<ShardStatus>;

  /**
   * Optional batch renewal: the same as one {@link Checkpointer.renewLease} per entry (an entry whose `assignedTo` is
   * not `workerId` or that has no token fails its slot with {@link LeaseLostError}), in as few round trips as the store allows (Redis: one script call). Each entry is
   * updated in place on success. The result has one slot per entry, in order: the updated ShardStatus, or the error
   * that entry's renewal gave (e.g. {@link LeaseLostError}; the other entries are still renewed). The call itself
   * rejects only when the store fails as a whole (connectivity, auth); then any subset may have been applied.
   */
  renewLeases?(shards: ShardStatus[], workerId: string): Promise<Array<ShardStatus | Error>>;

  /** Releases connections the checkpointer created (never an injected client). Idempotent. */
  close(): Promise<void>;
}

/**
 * Types of the fleet-coordination part of the lease store contract (see `docs/design/fleet-coordination.md`): the
 * coordinator (leader) lease, the worker registry and the per-owner lease index.
 */

/**
 * Reserved prefix of every coordination entry a store keeps next to the shard leases (DynamoDB: the `ShardID` of the
 * leader and worker-registry items). Never a Kinesis shard id; stores leave such entries out of `listLeases` and
 * `listActiveWorkers`.
 */
export const COORDINATION_KEY_PREFIX = '__kcl_coordination__#';

/** The id the coordinator lease goes by in errors (and its DynamoDB `ShardID`). */
export const COORDINATOR_LEASE_ID = `${COORDINATION_KEY_PREFIX}leader`;

/**
 * The coordinator (leader) lease: one per application, held by at most one worker. Taken, renewed and released like
 * a shard lease (counter + 1 on each transition; renew and release fenced by owner and token).
 */
export interface CoordinatorLease {
  /** The worker holding the role; undefined after a release. */
  assignedTo?: string | undefined;
  /** Incremented by the store on every take, renew and release. Readers time expiry on their own monotonic clock. */
  leaseCounter: number;
  /** Random token set on every take, unchanged by renewals; undefined after a release. */
  leaseToken?: string | undefined;
}

/** One entry of the worker registry. */
export interface WorkerHeartbeat {
  workerId: string;
  /** Incremented by every `heartbeat(workerId)`; a counter that stops moving means the worker is gone. */
  counter: number;
}

/** One lease of an owner, as `listOwnedLeases` returns it (a hint: the stored lease decides). */
export interface OwnedLease {
  shardId: string;
  /**
   * The lease counter, when the index holds one (may lag the lease): DynamoDB's owner index projects it; Redis's owner
   * sets hold shard ids only, so a Redis store leaves it out. The worker does not need it (it reads the lease itself).
   */
  leaseCounter?: number | undefined;
}

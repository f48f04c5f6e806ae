/**
 * The lease row every lease store keeps, shared by the backends: its field names (go-kcl's first six, so a go-kcl
 * table or Redis hash is read as is; then @kcl's four for the counter/token protocol, merges and KPL checkpoints), the
 * stored part of a {@link ShardStatus}, and the operations derived from a listing of rows, implemented once here so a
 * backend implements only the transitions.
 */
import { SHARD_END, type ShardStatus } from './shard-status';

/** Field (DynamoDB attribute, Redis hash field) names of a lease row. */
export const LEASE_ROW_FIELDS = Object.freeze({
  /** The shard id; the DynamoDB hash key (go-kcl `ShardID`). */
  shardId: 'ShardID',
  /** Worker id holding the lease; absent when unowned (go-kcl `AssignedTo`). */
  assignedTo: 'AssignedTo',
  /** RFC 3339 UTC time the writer's lease would expire; informational only, never compared (go-kcl `LeaseTimeout`). */
  leaseTimeout: 'LeaseTimeout',
  /** Last checkpointed sequence number or `SHARD_END` (go-kcl `Checkpoint`). */
  checkpoint: 'Checkpoint',
  /** First parent shard id (go-kcl `ParentShardId`). */
  parentShardId: 'ParentShardId',
  /** Worker id asking for the lease (go-kcl `ClaimRequest`). */
  claimRequest: 'ClaimRequest',
  /** Incremented by every take, renew and release. Absent in go-kcl rows (read as 0). */
  leaseCounter: 'LeaseCounter',
  /** Random id set by every take; renewals and checkpoints are conditional on it. */
  leaseToken: 'LeaseToken',
  /** Every parent shard id (two after a merge); go-kcl only has `ParentShardId`. */
  parentShardIds: 'ParentShardIds',
  /** Position of the checkpoint inside a KPL aggregate. */
  subSequenceNumber: 'SubSequenceNumber',
} as const);

/** The fields of a {@link ShardStatus} that a lease row stores (the others come from ListShards). */
export const STORED_LEASE_FIELDS = [
  'parentShardId',
  'parentShardIds',
  'checkpoint',
  'subSequenceNumber',
  'assignedTo',
  'leaseTimeout',
  'leaseCounter',
  'leaseToken',
  'claimRequest',
] as const;

/** The stored part of a lease, as a backend decodes a row. */
export type StoredLease = Pick<ShardStatus, 'id' | (typeof STORED_LEASE_FIELDS)[number]>;

/** A fresh ShardStatus holding a copy of `stored` (arrays and dates copied: the caller shares nothing with it). */
export function copyStoredLease(stored: StoredLease): ShardStatus {
  return {
    id: stored.id,
    parentShardId: stored.parentShardId ?? stored.parentShardIds[0],
    parentShardIds: [...stored.parentShardIds],
    checkpoint: stored.checkpoint,
    subSequenceNumber: stored.subSequenceNumber,
    assignedTo: stored.assignedTo,
    leaseTimeout: stored.leaseTimeout === undefined ? undefined : new Date(stored.leaseTimeout.getTime()),
    leaseCounter: stored.leaseCounter,
    leaseToken: stored.leaseToken,
    claimRequest: stored.claimRequest,
  };
}

/** Overwrites the stored fields of `target` with (copies of) those of `stored`, in place; ListShards fields are kept. */
export function applyStoredLease(target: ShardStatus, stored: StoredLease): void {
  const copy = copyStoredLease(stored);
  for (const field of STORED_LEASE_FIELDS) {
    (target as unknown as Record<string, unknown>)[field] = copy[field];
  }
}

/**
 * `listActiveWorkers` (go-kcl's) from a listing of the rows: the unfinished leases with an owner, grouped by owner.
 * A shard in `shardStatus` is updated in place (by `apply`, default {@link applyStoredLease}) and returned as that
 * object; others are fresh copies.
 */
export function groupActiveWorkers(
  rows: Iterable<StoredLease>,
  shardStatus: Map<string, ShardStatus>,
  apply: (target: ShardStatus, stored: StoredLease) => void = applyStoredLease,
): Map<string, ShardStatus[]> {
  const workers = new Map<string, ShardStatus[]>();
  for (const stored of rows) {
    let shard = shardStatus.get(stored.id);
    if (shard) apply(shard, stored);
    else shard = copyStoredLease(stored);
    if (shard.assignedTo === undefined || shard.checkpoint === SHARD_END) continue;
    const list = workers.get(shard.assignedTo);
    if (list) list.push(shard);
    else workers.set(shard.assignedTo, [shard]);
  }
  return workers;
}

/**
 * Layout of one lease row and its conversion to and from {@link ShardStatus}.
 *
 * The first six attribute names are go-kcl's, so a table written by go-kcl is read as is; the last four are added
 * by @kcl for the counter/token lease protocol and for merges (two parents) and KPL sub-sequence checkpoints.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { createShardStatus, LeaseStoreError } from '@kcl/core';
import type { ShardStatus } from '@kcl/core';

/** Attribute names of a lease row. */
export const LeaseAttributes = {
  /** S, hash key: the shard id (go-kcl `ShardID`). */
  shardId: 'ShardID',
  /** S: worker id holding the lease; absent when unowned (go-kcl `AssignedTo`). */
  assignedTo: 'AssignedTo',
  /** S: RFC 3339 UTC time the writer's lease would expire, informational only (go-kcl `LeaseTimeout`). */
  leaseTimeout: 'LeaseTimeout',
  /** S: last checkpointed sequence number or `SHARD_END` (go-kcl `Checkpoint`). */
  checkpoint: 'Checkpoint',
  /** S: first parent shard id (go-kcl `ParentShardId`). */
  parentShardId: 'ParentShardId',
  /** S: worker id asking to steal the lease (go-kcl `ClaimRequest`). */
  claimRequest: 'ClaimRequest',
  /** N: incremented by every take, renew and release. Absent in go-kcl rows (read as 0). */
  leaseCounter: 'LeaseCounter',
  /** S: random id set by every take; renewals and checkpoints are conditional on it. */
  leaseToken: 'LeaseToken',
  /** L of S: every parent shard id (two after a merge). */
  parentShardIds: 'ParentShardIds',
  /** N: sub-sequence number of the checkpoint inside a KPL aggregate. */
  subSequenceNumber: 'SubSequenceNumber',
} as const;

export type LeaseItem = Record<string, AttributeValue>;

/** Builds a ShardStatus from a stored row. Throws {@link LeaseStoreError} for a row without a string ShardID. */
export function itemToShardStatus(item: LeaseItem): ShardStatus {
  const id = readString(item, LeaseAttributes.shardId);
  if (id === undefined) {
    throw new LeaseStoreError(`Lease row without a string ${LeaseAttributes.shardId} attribute: ${JSON.stringify(item)}`);
  }
  const shard = createShardStatus(id);
  applyItem(shard, item);
  return shard;
}

/**
 * Copies the stored state of `item` into `shard`. Attributes the row does not have are cleared on `shard`, except
 * the parent ids, which are kept when the row has none (the caller may know them from ListShards).
 */
export function applyItem(shard: ShardStatus, item: LeaseItem): void {
  shard.assignedTo = readString(item, LeaseAttributes.assignedTo);
  shard.checkpoint = readString(item, LeaseAttributes.checkpoint);
  shard.subSequenceNumber = readNumber(item, LeaseAttributes.subSequenceNumber);
  shard.claimRequest = readString(item, LeaseAttributes.claimRequest);
  shard.leaseToken = readString(item, LeaseAttributes.leaseToken);
  shard.leaseCounter = readNumber(item, LeaseAttributes.leaseCounter) ?? 0;
  shard.leaseTimeout = readTime(item, LeaseAttributes.leaseTimeout);
  const parents = readParents(item);
  if (parents.length > 0) {
    shard.parentShardIds = parents;
    shard.parentShardId = parents[0];
  }
}

/** The RFC 3339 form written to `LeaseTimeout` (UTC, milliseconds; go-kcl parses it with time.RFC3339Nano). */
export function formatLeaseTimeout(date: Date): string {
  return date.toISOString();
}

function readString(item: LeaseItem, name: string): string | undefined {
  const value = item[name];
  return value !== undefined && 'S' in value && value.S !== undefined && value.S !== '' ? value.S : undefined;
}

function readNumber(item: LeaseItem, name: string): number | undefined {
  const value = item[name];
  if (value === undefined || !('N' in value) || value.N === undefined) return undefined;
  const parsed = Number(value.N);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function readTime(item: LeaseItem, name: string): Date | undefined {
  const text = readString(item, name);
  if (text === undefined) return undefined;
  // go-kcl writes up to nine fractional digits; Date understands at most three.
  const date = new Date(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function readParents(item: LeaseItem): string[] {
  const list = item[LeaseAttributes.parentShardIds];
  if (list !== undefined) {
    if ('L' in list && list.L !== undefined) {
      const ids = list.L.flatMap((entry) => ('S' in entry && entry.S ? [entry.S] : []));
      if (ids.length > 0) return ids;
    }
    if ('SS' in list && list.SS !== undefined && list.SS.length > 0) return [...list.SS];
  }
  const first = readString(item, LeaseAttributes.parentShardId);
  return first === undefined ? [] : [first];
}

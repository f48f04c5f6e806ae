/**
 * Layout of one lease row and its conversion to and from {@link ShardStatus}.
 *
 * The first six attribute names are go-kcl's, so a table written by go-kcl is read as is; the last four are added
 * by @kcl for the counter/token lease protocol and for merges (two parents) and KPL sub-sequence checkpoints.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { createShardStatus, LEASE_ROW_FIELDS, LeaseStoreError } from '@kcl/core';
import type { ShardStatus } from '@kcl/core';

/**
 * Attribute names of a lease row: core's lease-row fields. Types in DynamoDB: `ShardID` S (hash key), `AssignedTo` S
 * (absent when unowned), `LeaseTimeout` S (RFC 3339, informational), `Checkpoint` S, `ParentShardId` S, `ClaimRequest`
 * S, `LeaseCounter` N (absent in go-kcl rows: 0), `LeaseToken` S, `ParentShardIds` L of S, `SubSequenceNumber` N.
 */
export const LeaseAttributes = LEASE_ROW_FIELDS;

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

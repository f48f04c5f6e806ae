import { SHARD_END, type ShardStatus } from '@kcl/core';
import type { CounterObservation } from '../liveness';

/** One lease as `kcl leases` shows it (also the `--json` shape). */
export interface LeaseRow {
  shardId: string;
  /** Worker holding the lease; null when unowned. */
  owner: string | null;
  /** Sequence number, SHARD_END, a TRIM_HORIZON / LATEST sentinel, or null when never checkpointed. */
  checkpoint: string | null;
  subSequenceNumber: number | null;
  leaseCounter: number;
  /**
   * With `--observe-ms`: milliseconds since the counter was last seen to change, or the whole watch when it did not
   * change (then {@link counterChanged} is false); null without a watch.
   */
  counterAgeMillis: number | null;
  /** With `--observe-ms`: the counter changed during the watch (a live owner renews it); null without a watch. */
  counterChanged: boolean | null;
  /** Worker that asked for the lease (balancing), or null. */
  claimRequest: string | null;
  parentShardIds: string[];
  /** Checkpointed at SHARD_END: the shard is finished. */
  shardEnd: boolean;
}

export function leaseRow(lease: ShardStatus, observed: CounterObservation | undefined): LeaseRow {
  return {
    shardId: lease.id,
    owner: lease.assignedTo ?? null,
    checkpoint: lease.checkpoint ?? null,
    subSequenceNumber: lease.subSequenceNumber ?? null,
    leaseCounter: lease.leaseCounter,
    counterAgeMillis: observed ? observed.unchangedForMillis : null,
    counterChanged: observed ? observed.changed : null,
    claimRequest: lease.claimRequest ?? null,
    parentShardIds: lease.parentShardIds.length > 0 ? [...lease.parentShardIds] : lease.parentShardId ? [lease.parentShardId] : [],
    shardEnd: lease.checkpoint === SHARD_END,
  };
}

export const LEASE_HEADERS = ['SHARD', 'OWNER', 'CHECKPOINT', 'COUNTER', 'COUNTER AGE', 'CLAIM', 'PARENTS', 'SHARD_END'] as const;

/** The text cells of a row, in {@link LEASE_HEADERS} order. */
export function leaseCells(row: LeaseRow): string[] {
  const checkpoint = row.checkpoint === null ? '-' : row.subSequenceNumber === null ? row.checkpoint : `${row.checkpoint}/${row.subSequenceNumber}`;
  const age = row.counterAgeMillis === null ? '-' : row.counterChanged ? `${row.counterAgeMillis} ms` : `>=${row.counterAgeMillis} ms`;
  return [
    row.shardId,
    row.owner ?? '-',
    checkpoint,
    String(row.leaseCounter),
    age,
    row.claimRequest ?? '-',
    row.parentShardIds.length > 0 ? row.parentShardIds.join(',') : '-',
    row.shardEnd ? 'yes' : 'no',
  ];
}

/** Sorts leases by shard id. */
export function byShardId(a: { shardId: string }, b: { shardId: string }): number {
  return a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0;
}

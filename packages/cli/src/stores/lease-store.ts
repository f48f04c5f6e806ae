/**
 * What the commands need from a lease store. Listing and releasing go through the backend's public `Checkpointer`
 * (`listLeases`, `removeLeaseOwner`); resetting a checkpoint cannot be expressed with the Checkpointer contract (a
 * checkpoint never moves backwards there, and only the owner may write it), so each store module writes it directly
 * in one conditional write (DynamoDB UpdateItem, a Redis Lua script), fenced by the lease counter the CLI observed.
 */
import type { ShardStatus } from '@kcl/core';

/** Where `reset` moves the checkpoint: a Kinesis sequence number, or the Java KCL's `TRIM_HORIZON` / `LATEST` sentinel. */
export type StoredResetCheckpoint = string;

export interface LeaseStoreAccess {
  /** Every lease of the table (all pages), as the backend reads them. */
  listLeases(): Promise<ShardStatus[]>;
  /**
   * Releases `lease` on behalf of its owner, through the backend's `removeLeaseOwner` (conditional on the owner and
   * the token the CLI read). Throws LeaseChangedError when the lease moved on since.
   */
  release(lease: ShardStatus): Promise<void>;
  /**
   * In one conditional write, only if the stored counter is still `lease.leaseCounter` and the lease is not at
   * SHARD_END: sets the checkpoint to `checkpoint`, removes the sub-sequence number, the owner, the token and the
   * lease timeout, and increments the counter (so a worker that was holding it sees the lease lost at its next renewal,
   * and a take racing with this write fails). Throws LeaseChangedError when the condition fails.
   */
  reset(lease: ShardStatus, checkpoint: StoredResetCheckpoint): Promise<void>;
  /** Closes every connection the CLI opened. */
  close(): Promise<void>;
}

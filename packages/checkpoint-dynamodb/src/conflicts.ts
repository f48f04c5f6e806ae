/**
 * Turns a failed conditional write into the typed error of the Checkpointer contract. The write has already failed
 * when these run: the stored row (from ALL_OLD, or read afterwards on emulators without it) only words the error and
 * picks its type; it never decides whether a write happens.
 */
import { LeaseLostError, LeaseNotAcquiredError, SHARD_END, ShardClaimedError } from '@kcl/core';
import type { KclError, ShardStatus } from '@kcl/core';

/** Why a take failed. */
export function takeConflict(shardId: string, observedCounter: number, current: ShardStatus | undefined, cause: unknown): KclError {
  let reason: string;
  if (current === undefined) reason = `the lease no longer exists (observed counter ${observedCounter})`;
  else if (current.checkpoint === SHARD_END) reason = 'the shard is finished (checkpoint SHARD_END)';
  else {
    reason = `its counter is ${current.leaseCounter}, not the observed ${observedCounter}` +
      (current.assignedTo ? `; held by ${current.assignedTo}` : '; unowned');
  }
  return new LeaseNotAcquiredError(shardId, `Lease for shard ${shardId} was not acquired: ${reason}`, { cause });
}

/** Why a renewal or checkpoint by `owner` with `token` failed. */
export function tenureConflict(
  action: 'renewed' | 'checkpointed',
  shardId: string,
  owner: string,
  current: ShardStatus | undefined,
  cause: unknown,
): KclError {
  let reason: string;
  if (current === undefined) reason = 'the lease was deleted';
  else if (current.assignedTo === undefined) reason = 'the lease was released';
  else if (current.assignedTo !== owner) reason = `it is now held by ${current.assignedTo}`;
  else reason = 'it was re-taken since (new lease token)';
  const extra = action === 'checkpointed' ? '; the checkpoint was NOT written' : '';
  return new LeaseLostError(shardId, `Lease for shard ${shardId} could not be ${action} by ${owner}: ${reason}${extra}`, { cause });
}

/** Why a release by `owner` failed, or undefined when there is nothing to release (unowned or absent). */
export function releaseConflict(shardId: string, owner: string, current: ShardStatus | undefined, cause: unknown): KclError | undefined {
  if (current?.assignedTo === undefined || current.assignedTo === owner) return undefined;
  return new LeaseLostError(shardId, `Lease for shard ${shardId} is held by ${current.assignedTo}, not ${owner}; not released`, {
    cause,
  });
}

/** Why a claim failed: SHARD_END or a pending claim -> ShardClaimedError; absent, unowned or another owner -> LeaseNotAcquiredError. */
export function claimConflict(shardId: string, observedOwner: string | undefined, current: ShardStatus | undefined, cause: unknown): KclError {
  if (current?.checkpoint === SHARD_END) {
    return new ShardClaimedError(shardId, `Shard ${shardId} cannot be claimed: it is finished (checkpoint SHARD_END)`, { cause });
  }
  if (current?.claimRequest !== undefined) {
    return new ShardClaimedError(shardId, `Shard ${shardId} already has a pending claim by ${current.claimRequest}`, { cause });
  }
  const now = current === undefined ? 'its lease does not exist' : `its owner is ${current.assignedTo ?? '(none)'}`;
  return new LeaseNotAcquiredError(shardId, `Shard ${shardId} cannot be claimed from ${observedOwner ?? '(none)'}: ${now}`, { cause });
}

/**
 * Turns a failed conditional write into the typed error of the Checkpointer contract. The write has already failed
 * when these run: the stored row (from ALL_OLD, or read afterwards on emulators without it) only words the error and
 * picks its type; it never decides whether a write happens.
 */
import {
  CheckpointOrderError,
  COORDINATOR_LEASE_ID,
  LeaseLostError,
  LeaseNotAcquiredError,
  LeaseNotFinishedError,
  SHARD_END,
  ShardClaimedError,
} from '@kcl/core';
import type { KclError, ShardStatus } from '@kcl/core';

/** Why a take failed. */
export function takeConflict(shardId: string, observedCounter: number, current: ShardStatus | undefined, cause: unknown): KclError {
  let reason: string;
  if (current === undefined) reason = `the lease no longer exists (observed counter ${observedCounter})`;
  else if (current.checkpoint === SHARD_END) reason = 'the shard is finished (checkpoint SHARD_END)';
  else {
    reason =
      `its counter is ${current.leaseCounter}, not the observed ${observedCounter}` +
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

/**
 * Why a checkpoint by `owner` with `token` failed: still held by that tenure -> the order condition refused it
 * ({@link CheckpointOrderError}); otherwise the lease is lost.
 */
export function checkpointConflict(
  shardId: string,
  owner: string,
  token: string,
  attempted: { checkpoint: string; subSequenceNumber: number | undefined },
  current: ShardStatus | undefined,
  cause: unknown,
): KclError {
  if (current !== undefined && current.assignedTo === owner && current.leaseToken === token && current.checkpoint !== undefined) {
    return new CheckpointOrderError(shardId, { checkpoint: current.checkpoint, subSequenceNumber: current.subSequenceNumber }, attempted, { cause });
  }
  return tenureConflict('checkpointed', shardId, owner, current, cause);
}

/**
 * Why a release by `owner` with `token` failed, or undefined when there is nothing to release (unowned or absent,
 * or - read after the failure on an emulator - already the caller's again).
 */
export function releaseConflict(
  shardId: string,
  owner: string,
  token: string,
  current: ShardStatus | undefined,
  cause: unknown,
): KclError | undefined {
  if (current?.assignedTo === undefined || (current.assignedTo === owner && current.leaseToken === token)) return undefined;
  const reason =
    current.assignedTo === owner
      ? `it was re-taken since under the same worker id ${owner} (another lease token)`
      : `it is held by ${current.assignedTo}, not ${owner}`;
  return new LeaseLostError(shardId, `Lease for shard ${shardId} was not released: ${reason}`, { cause });
}

/** Why a delete failed: the stored row is not at SHARD_END; undefined when it is gone (nothing to delete). */
export function removeConflict(shardId: string, current: ShardStatus | undefined, cause: unknown): KclError | undefined {
  if (current === undefined) return undefined;
  return new LeaseNotFinishedError(shardId, current.checkpoint, { cause });
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

/**
 * Why a transfer by `from` with `token` failed: absent, another owner or another tenure -> LeaseLostError (checked
 * first, as the tenure is what fences); held by that tenure but at SHARD_END -> LeaseNotAcquiredError.
 */
export function transferConflict(
  shardId: string,
  from: string,
  token: string,
  to: string,
  current: ShardStatus | undefined,
  cause: unknown,
): KclError {
  const lost = (reason: string) => new LeaseLostError(shardId, `Lease for shard ${shardId} cannot be transferred by ${from}: ${reason}`, { cause });
  if (current === undefined) return lost('it does not exist');
  if (current.assignedTo !== from) return lost(current.assignedTo === undefined ? 'it is unowned' : `it is held by ${current.assignedTo}`);
  if (current.leaseToken !== token) return lost('it was re-taken since (another lease token)');
  if (current.checkpoint === SHARD_END) {
    return new LeaseNotAcquiredError(shardId, `Lease for shard ${shardId} was not transferred to ${to}: the shard is at SHARD_END`, { cause });
  }
  return lost('it changed while being transferred');
}

/** Why a coordinator take at `observedCounter` failed. */
export function coordinatorTakeConflict(workerId: string, observedCounter: number, current: ShardStatus | undefined, cause: unknown): KclError {
  const stored = current === undefined ? 'absent' : `${current.leaseCounter}${current.assignedTo ? ` (held by ${current.assignedTo})` : ''}`;
  return new LeaseNotAcquiredError(
    COORDINATOR_LEASE_ID,
    `Coordinator lease was not acquired by ${workerId}: its counter is ${stored}, caller observed ${observedCounter}`,
    { cause },
  );
}

/**
 * Why a coordinator renewal or release by `workerId` with `token` failed; undefined for a release of an unowned or
 * absent lease (nothing to do) or - read after the failure on an emulator - one that is the caller's again.
 */
export function coordinatorTenureConflict(
  action: 'renewed' | 'released',
  workerId: string,
  token: string,
  current: ShardStatus | undefined,
  cause: unknown,
): KclError | undefined {
  if (action === 'released' && (current?.assignedTo === undefined || (current.assignedTo === workerId && current.leaseToken === token))) {
    return undefined;
  }
  const holder =
    current?.assignedTo === undefined
      ? 'nobody holds it'
      : current.assignedTo === workerId
        ? 'it was re-taken since (another lease token)'
        : `it is held by ${current.assignedTo}`;
  return new LeaseLostError(COORDINATOR_LEASE_ID, `Coordinator lease cannot be ${action} by ${workerId}: ${holder}`, { cause });
}

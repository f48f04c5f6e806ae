import {
  CheckpointOrderError,
  type KclError,
  LeaseLostError,
  LeaseNotAcquiredError,
  LeaseNotFinishedError,
  LeaseStoreError,
  ShardClaimedError,
} from '@kcl/core';
import { FIELD, type LeaseHash } from './lease-hash';

/**
 * Return codes of the Lua scripts in `src/lua` (the first element of every reply). One code means one outcome in
 * every script; {@link statusError} turns it into the typed error.
 */
export enum ScriptStatus {
  /** The transition was applied. */
  Ok = 0,
  /** Nothing to do (release of an absent or unowned lease); not an error. */
  Unchanged = 1,
  /** take: the stored LeaseCounter differs from the observed one -> LeaseNotAcquiredError. */
  CounterMoved = 2,
  /** take: the shard is checkpointed at SHARD_END -> LeaseNotAcquiredError. */
  ShardEnded = 3,
  /** renew / checkpoint / release: absent, another owner or another token -> LeaseLostError. */
  NotHeld = 4,
  /** claim: absent, unowned or owned by someone else -> LeaseNotAcquiredError. */
  OwnerChanged = 5,
  /** claim: another claim is pending -> ShardClaimedError. */
  ClaimPending = 6,
  /** claim: the shard is at SHARD_END -> ShardClaimedError. */
  ClaimShardEnded = 7,
  /** checkpoint: it would move the checkpoint backwards or away from SHARD_END -> CheckpointOrderError. */
  OutOfOrder = 8,
  /** remove: the lease is not at SHARD_END -> LeaseNotFinishedError. */
  NotFinished = 9,
}

/** Context for the error message of a failed transition. */
export interface StatusContext {
  shardId: string;
  /** The worker that attempted the transition. */
  workerId: string;
  /** take: the counter the caller observed. */
  observedCounter?: number;
  /** The stored hash returned by the script. */
  stored: LeaseHash;
  /** checkpoint: the checkpoint that was attempted. */
  attempted?: { checkpoint: string; subSequenceNumber: number | undefined };
}

/** The typed error for a script's return code, or undefined for {@link ScriptStatus.Ok} / {@link ScriptStatus.Unchanged}. */
export function statusError(status: ScriptStatus, ctx: StatusContext): KclError | undefined {
  const { shardId, stored } = ctx;
  const owner = stored[FIELD.assignedTo] ? `held by ${stored[FIELD.assignedTo]}` : 'unowned';
  const counter = stored[FIELD.leaseCounter] ?? '0';
  switch (status) {
    case ScriptStatus.Ok:
    case ScriptStatus.Unchanged:
      return undefined;
    case ScriptStatus.CounterMoved:
      return new LeaseNotAcquiredError(
        shardId,
        Object.keys(stored).length === 0
          ? `Lease for shard ${shardId} was not acquired by ${ctx.workerId}: it was deleted after counter ${ctx.observedCounter} was observed`
          : `Lease for shard ${shardId} was not acquired by ${ctx.workerId}: counter is ${counter}, caller observed ${ctx.observedCounter} (${owner})`,
      );
    case ScriptStatus.ShardEnded:
      return new LeaseNotAcquiredError(shardId, `Lease for shard ${shardId} was not acquired: the shard is at SHARD_END`);
    case ScriptStatus.NotHeld:
      return new LeaseLostError(
        shardId,
        Object.keys(stored).length === 0
          ? `Lease for shard ${shardId} is no longer held by ${ctx.workerId}: it was deleted`
          : `Lease for shard ${shardId} is no longer held by ${ctx.workerId} with this lease token (now ${owner}, counter ${counter})`,
      );
    case ScriptStatus.OwnerChanged:
      return new LeaseNotAcquiredError(shardId, `Shard ${shardId} cannot be claimed by ${ctx.workerId}: its owner changed (now ${owner})`);
    case ScriptStatus.ClaimPending:
      return new ShardClaimedError(shardId, `Shard ${shardId} already has a pending claim by ${stored[FIELD.claimRequest] ?? 'another worker'}`);
    case ScriptStatus.ClaimShardEnded:
      return new ShardClaimedError(shardId, `Shard ${shardId} is at SHARD_END and cannot be claimed`);
    case ScriptStatus.OutOfOrder: {
      const sub = stored[FIELD.subSequenceNumber];
      return new CheckpointOrderError(
        shardId,
        { checkpoint: stored[FIELD.checkpoint] ?? '', subSequenceNumber: sub !== undefined && /^\d+$/.test(sub) ? Number(sub) : undefined },
        ctx.attempted ?? { checkpoint: '?', subSequenceNumber: undefined },
      );
    }
    case ScriptStatus.NotFinished:
      return new LeaseNotFinishedError(shardId, stored[FIELD.checkpoint] || undefined);
    default:
      return new LeaseStoreError(`Unexpected return code ${unexpected(status)} from a lease script for shard ${shardId}`);
  }
}

/** A return code no case above knows (a script newer than this package, or a bug): its number for the message. */
function unexpected(status: number): string {
  return String(status);
}

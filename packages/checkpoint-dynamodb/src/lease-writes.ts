/**
 * The conditional writes of the lease protocol. Each lease transition is exactly one UpdateItem whose condition
 * encodes the safety rule of the Checkpointer contract; nothing is read first to decide.
 *
 * | transition | condition                                                                                   |
 * |------------|---------------------------------------------------------------------------------------------|
 * | take       | counter = observed (absent row or counter = 0) AND not SHARD_END                            |
 * | renew      | AssignedTo = me AND LeaseToken = my token                                                    |
 * | checkpoint | AssignedTo = me AND LeaseToken = my token AND the stored checkpoint is not after the new one    |
 * | release    | AssignedTo = me AND LeaseToken = my token                                                    |
 * | claim      | AssignedTo = observed owner AND no ClaimRequest AND not SHARD_END                           |
 * | transfer   | AssignedTo = from AND LeaseToken = its token AND not SHARD_END                              |
 * | delete     | the row is absent OR Checkpoint = SHARD_END (a DeleteItem)                                   |
 *
 * Checkpoint order without a new attribute: Kinesis sequence numbers are decimal strings without leading zeros of up
 * to 129 digits (beyond the 38 digits of a DynamoDB Number), so the condition compares the go-kcl `Checkpoint`
 * string exactly as a big integer: shorter is smaller (`size()`), equal lengths compare as strings (DynamoDB compares
 * strings by their UTF-8 bytes, which for digits is numeric order). The same condition holds for rows go-kcl wrote.
 * Because every write carries it, a late or retried write (the SDK re-sends a request whose answer was lost) can
 * never move the checkpoint backwards either; the same checkpoint again passes, so a retry of an applied write
 * succeeds.
 */
import type { DeleteItemCommandInput, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { SHARD_END } from '@kcl/core';
import type { ShardStatus } from '@kcl/core';
import { ExpressionBuilder } from './expression-builder';
import { formatLeaseTimeout, LeaseAttributes as A } from './lease-item';

export type Write = UpdateItemCommandInput & { ConditionExpression: string; UpdateExpression: string };

export function base(
  tableName: string,
  shardId: string,
  b: ExpressionBuilder,
  condition: string,
  update: string,
  returnValues: 'ALL_NEW' | 'NONE' = 'ALL_NEW',
): Write {
  return {
    TableName: tableName,
    Key: { [A.shardId]: { S: shardId } },
    ConditionExpression: condition,
    UpdateExpression: update,
    ...b.attributes(),
    ReturnValues: returnValues,
    // Real DynamoDB returns the current row with a failed condition; emulators that do not are handled by the caller.
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Not at SHARD_END (a row without Checkpoint is not finished). */
export function notShardEnd(b: ExpressionBuilder): string {
  const cp = b.name(A.checkpoint);
  return `(attribute_not_exists(${cp}) OR ${cp} <> ${b.string(SHARD_END)})`;
}

export function incrementCounter(b: ExpressionBuilder): string {
  const counter = b.name(A.leaseCounter);
  return `${counter} = if_not_exists(${counter}, ${b.number(0)}) + ${b.number(1)}`;
}

/** Take: sets owner and a new token, increments the counter, clears ClaimRequest, creates the row if absent. */
export function takeWrite(tableName: string, shard: ShardStatus, owner: string, token: string, leaseTimeout: Date): Write {
  const b = new ExpressionBuilder();
  const counter = b.name(A.leaseCounter);
  const observed = shard.leaseCounter;
  // An absent row has neither LeaseCounter nor Checkpoint, so with observed 0 it passes this condition: that is the
  // "row absent" case, without an `attribute_not_exists(ShardID) OR (...)` around it (dynalite's expression parser
  // is several times slower on nested groups, and the take is on the hot path of a cold start). go-kcl rows have no
  // LeaseCounter and count as 0.
  const counterMatches = observed === 0 ? `(attribute_not_exists(${counter}) OR ${counter} = ${b.number(0)})` : `${counter} = ${b.number(observed)}`;
  const condition = `${counterMatches} AND ${notShardEnd(b)}`;

  const sets = [
    `${b.name(A.assignedTo)} = ${b.string(owner)}`,
    `${b.name(A.leaseToken)} = ${b.string(token)}`,
    `${b.name(A.leaseTimeout)} = ${b.string(formatLeaseTimeout(leaseTimeout))}`,
    incrementCounter(b),
  ];
  const parents = shard.parentShardIds.length > 0 ? shard.parentShardIds : shard.parentShardId ? [shard.parentShardId] : [];
  const first = parents[0];
  if (first !== undefined) {
    const parent = b.name(A.parentShardId);
    const allParents = b.name(A.parentShardIds);
    sets.push(`${parent} = if_not_exists(${parent}, ${b.string(first)})`);
    sets.push(`${allParents} = if_not_exists(${allParents}, ${b.value({ L: parents.map((id) => ({ S: id })) })})`);
  }
  return base(tableName, shard.id, b, condition, `SET ${sets.join(', ')} REMOVE ${b.name(A.claimRequest)}`);
}

/** The stored lease is held by `owner` in the tenure of `token`. */
export function heldBy(b: ExpressionBuilder, owner: string, token: string): string {
  return `${b.name(A.assignedTo)} = ${b.string(owner)} AND ${b.name(A.leaseToken)} = ${b.string(token)}`;
}

/** Renew: refreshes LeaseTimeout and increments the counter; owner, token and everything else unchanged. */
export function renewWrite(tableName: string, shardId: string, owner: string, token: string, leaseTimeout: Date): Write {
  const b = new ExpressionBuilder();
  const condition = heldBy(b, owner, token);
  const update = `SET ${b.name(A.leaseTimeout)} = ${b.string(formatLeaseTimeout(leaseTimeout))}, ${incrementCounter(b)}`;
  return base(tableName, shardId, b, condition, update);
}

/**
 * The stored checkpoint is not after the sequence number `seq` (with `sub`; undefined = the whole record, which
 * orders after every sub-sequence number of that record). True for a row without checkpoint; false at SHARD_END
 * (final). A stored SubSequenceNumber that is absent means the whole record, so with `sub` set the comparison of an
 * absent attribute is false, as it must be.
 */
function notAfter(b: ExpressionBuilder, seq: string, sub: number | undefined): string {
  const cp = b.name(A.checkpoint);
  const value = b.string(seq);
  const length = b.number(seq.length);
  const sameRecord = sub === undefined ? `${cp} = ${value}` : `(${cp} = ${value} AND ${b.name(A.subSequenceNumber)} <= ${b.number(sub)})`;
  const before = `size(${cp}) < ${length} OR (size(${cp}) = ${length} AND ${cp} < ${value}) OR ${sameRecord}`;
  return `(attribute_not_exists(${cp}) OR (${cp} <> ${b.string(SHARD_END)} AND (${before})))`;
}

/**
 * Checkpoint: writes Checkpoint and SubSequenceNumber (removed when undefined); the counter is unchanged. A sequence
 * number is written only if it is not before the stored checkpoint and the shard is not at SHARD_END; SHARD_END may
 * follow anything.
 */
export function checkpointWrite(
  tableName: string,
  shardId: string,
  owner: string,
  token: string,
  checkpoint: string,
  subSequenceNumber: number | undefined,
): Write {
  const b = new ExpressionBuilder();
  const held = heldBy(b, owner, token);
  const condition = checkpoint === SHARD_END ? held : `${held} AND ${notAfter(b, checkpoint, subSequenceNumber)}`;
  const sub = b.name(A.subSequenceNumber);
  const update =
    `SET ${b.name(A.checkpoint)} = ${b.string(checkpoint)}` +
    (subSequenceNumber === undefined ? ` REMOVE ${sub}` : `, ${sub} = ${b.number(subSequenceNumber)}`);
  return base(tableName, shardId, b, condition, update, 'NONE');
}

/**
 * Release: removes owner, token and LeaseTimeout, increments the counter; keeps checkpoint and ClaimRequest. Only the
 * tenure of `token` may release (not every process with the owner's worker id).
 */
export function releaseWrite(tableName: string, shardId: string, owner: string, token: string): Write {
  const b = new ExpressionBuilder();
  const condition = heldBy(b, owner, token);
  const update = `SET ${incrementCounter(b)} REMOVE ${b.name(A.assignedTo)}, ${b.name(A.leaseToken)}, ${b.name(A.leaseTimeout)}`;
  return base(tableName, shardId, b, condition, update, 'NONE');
}

/** Claim: sets ClaimRequest; owner and counter unchanged. (A row whose AssignedTo matches exists.) */
export function claimWrite(tableName: string, shardId: string, observedOwner: string, claimId: string): Write {
  const b = new ExpressionBuilder();
  const claim = b.name(A.claimRequest);
  const condition = `${b.name(A.assignedTo)} = ${b.string(observedOwner)} AND attribute_not_exists(${claim}) AND ${notShardEnd(b)}`;
  return base(tableName, shardId, b, condition, `SET ${claim} = ${b.string(claimId)}`);
}

/**
 * Transfer (hand-off): the tenure of `token` gives the lease to `to`: new owner and token, counter + 1, ClaimRequest
 * removed, LeaseTimeout refreshed; the checkpoint is kept. Never at SHARD_END.
 */
export function transferWrite(
  tableName: string,
  shardId: string,
  from: string,
  token: string,
  to: string,
  newToken: string,
  leaseTimeout: Date,
): Write {
  const b = new ExpressionBuilder();
  const condition = `${heldBy(b, from, token)} AND ${notShardEnd(b)}`;
  const sets = [
    `${b.name(A.assignedTo)} = ${b.string(to)}`,
    `${b.name(A.leaseToken)} = ${b.string(newToken)}`,
    `${b.name(A.leaseTimeout)} = ${b.string(formatLeaseTimeout(leaseTimeout))}`,
    incrementCounter(b),
  ];
  return base(tableName, shardId, b, condition, `SET ${sets.join(', ')} REMOVE ${b.name(A.claimRequest)}`);
}

/** Delete: removes the row only while it is at SHARD_END (or already gone). */
export function removeWrite(tableName: string, shardId: string): DeleteItemCommandInput & { ConditionExpression: string } {
  const b = new ExpressionBuilder();
  const condition = `attribute_not_exists(${b.name(A.shardId)}) OR ${b.name(A.checkpoint)} = ${b.string(SHARD_END)}`;
  return {
    TableName: tableName,
    Key: { [A.shardId]: { S: shardId } },
    ConditionExpression: condition,
    ...b.attributes(),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

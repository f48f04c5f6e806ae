/**
 * The fleet-coordination items of the lease table and their writes. They live next to the shard leases, keyed by a
 * `ShardID` that starts with {@link COORDINATION_KEY_PREFIX} (never a Kinesis shard id):
 *
 * | item                                   | attributes                                  | written by                           |
 * |----------------------------------------|---------------------------------------------|--------------------------------------|
 * | `__kcl_coordination__#leader`          | AssignedTo, LeaseCounter, LeaseToken        | take / renew / release (conditional) |
 * | `__kcl_coordination__#worker#<id>`     | LeaseCounter, AssignmentEpoch               | heartbeat (ADD 1), removeWorker; assignment signal (ADD 1) |
 *
 * The coordinator lease follows the shard lease rules: take conditional on the observed counter (absent counts as 0),
 * renew and release conditional on owner and token, counter + 1 on each. Registry items have no AssignedTo, so the
 * owner index never holds them; the leader item does while held (readers of the index drop it by its prefix).
 */
import type { AttributeValue, DeleteItemCommandInput, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { COORDINATION_KEY_PREFIX, COORDINATOR_LEASE_ID } from '@kcl/core';
import { ExpressionBuilder } from './expression-builder';
import { LeaseAttributes as A } from './lease-item';
import type { LeaseItem } from './lease-item';
import { base, heldBy, incrementCounter } from './lease-writes';
import type { Write } from './lease-writes';

/** `ShardID` prefix of the worker registry items. */
export const WORKER_KEY_PREFIX = `${COORDINATION_KEY_PREFIX}worker#`;

/** True for the `ShardID` of a coordination item (never a shard lease). */
export function isCoordinationKey(shardId: string): boolean {
  return shardId.startsWith(COORDINATION_KEY_PREFIX);
}

/** The `ShardID` of the registry item of `workerId`. */
export function workerKey(workerId: string): string {
  return `${WORKER_KEY_PREFIX}${workerId}`;
}

/**
 * N attribute of a registry item: how many times a lease was assigned or handed to the worker by another one (the
 * leader's take for it, an owner's transfer to it). Absent (= 0) on items written by go-kcl or an older @kcl.
 */
export const ASSIGNMENT_EPOCH = 'AssignmentEpoch';

/** What a registry item says: its heartbeat counter and assignment epoch (0 for an absent item or attribute). */
export interface RegistryState {
  counter: number;
  epoch: number;
}

/** Reads {@link RegistryState} from a registry item (undefined = the item is absent). */
export function registryState(item: LeaseItem | undefined): RegistryState {
  return { counter: numberOf(item?.[A.leaseCounter]), epoch: numberOf(item?.[ASSIGNMENT_EPOCH]) };
}

function numberOf(value: AttributeValue | undefined): number {
  const parsed = value !== undefined && 'N' in value && value.N !== undefined ? Number(value.N) : 0;
  return Number.isFinite(parsed) ? parsed : 0;
}

/**
 * Heartbeat: LeaseCounter + 1 (ADD creates the item with counter 1). One unconditional write; it returns the item
 * (ALL_NEW costs nothing extra), so the worker learns its assignment epoch with it.
 */
export function heartbeatWrite(tableName: string, workerId: string): UpdateItemCommandInput {
  const b = new ExpressionBuilder();
  return {
    TableName: tableName,
    Key: { [A.shardId]: { S: workerKey(workerId) } },
    UpdateExpression: `ADD ${b.name(A.leaseCounter)} ${b.number(1)}`,
    ...b.attributes(),
    ReturnValues: 'ALL_NEW',
  };
}

/**
 * Assignment signal: AssignmentEpoch + 1 on the registry item of `workerId`, only while the item exists (a heartbeat
 * created it: an ADD on an absent item would create a registry entry without a heartbeat counter, a worker that
 * never lived). Sent after the lease write that assigned or handed a lease to `workerId` succeeded.
 */
export function assignmentSignalWrite(tableName: string, workerId: string): UpdateItemCommandInput {
  const b = new ExpressionBuilder();
  return {
    TableName: tableName,
    Key: { [A.shardId]: { S: workerKey(workerId) } },
    ConditionExpression: `attribute_exists(${b.name(A.leaseCounter)})`,
    UpdateExpression: `ADD ${b.name(ASSIGNMENT_EPOCH)} ${b.number(1)}`,
    ...b.attributes(),
    ReturnValues: 'NONE',
  };
}

/** removeWorker: deletes the registry item (no condition: absent is fine). */
export function removeWorkerWrite(tableName: string, workerId: string): DeleteItemCommandInput {
  return { TableName: tableName, Key: { [A.shardId]: { S: workerKey(workerId) } } };
}

/** Coordinator take: counter = observed (absent item or counter counts as 0); sets owner and `token`, counter + 1. */
export function takeCoordinatorWrite(tableName: string, workerId: string, observedCounter: number, token: string): Write {
  const b = new ExpressionBuilder();
  const counter = b.name(A.leaseCounter);
  const condition =
    observedCounter === 0 ? `attribute_not_exists(${counter}) OR ${counter} = ${b.number(0)}` : `${counter} = ${b.number(observedCounter)}`;
  const update = `SET ${b.name(A.assignedTo)} = ${b.string(workerId)}, ${b.name(A.leaseToken)} = ${b.string(token)}, ${incrementCounter(b)}`;
  return base(tableName, COORDINATOR_LEASE_ID, b, condition, update);
}

/** Coordinator renewal: held by `workerId` with `token`; counter + 1, token kept. */
export function renewCoordinatorWrite(tableName: string, workerId: string, token: string): Write {
  const b = new ExpressionBuilder();
  return base(tableName, COORDINATOR_LEASE_ID, b, heldBy(b, workerId, token), `SET ${incrementCounter(b)}`);
}

/** Coordinator release: held by `workerId` with `token`; removes owner and token, counter + 1. */
export function releaseCoordinatorWrite(tableName: string, workerId: string, token: string): Write {
  const b = new ExpressionBuilder();
  const update = `SET ${incrementCounter(b)} REMOVE ${b.name(A.assignedTo)}, ${b.name(A.leaseToken)}`;
  return base(tableName, COORDINATOR_LEASE_ID, b, heldBy(b, workerId, token), update, 'NONE');
}

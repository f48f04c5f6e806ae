import { AssertionError } from 'node:assert';
import type { Checkpointer } from '../checkpoint/checkpointer';
import { createShardStatus, type ShardStatus } from '../checkpoint/shard-status';
import { isKclError, type KclErrorCode } from '../errors';

/** Arguments the conformance suite passes to `create`. */
export interface CreateCheckpointerArgs {
  /** Table name (DynamoDB) or table part of the key prefix (Redis). Calls with the same name share one table. */
  tableName: string;
  /** The worker id the checkpointer acts for (its config's workerId). */
  workerId: string;
  /** The failover time the checkpointer is configured with (only informational for backends). */
  failoverTimeMillis: number;
}

/** One worker's view of a table in a conformance case. */
export interface Participant {
  /** Its worker id. */
  id: string;
  /** Its checkpointer, already initialised (unless asked otherwise). */
  cp: Checkpointer;
}

/** Everything a conformance case gets. Every id it hands out is unique to the case. */
export interface CaseContext {
  /** The suite's main table, shared by all cases (unique shard and worker ids keep them apart). */
  tableName: string;
  failoverTimeMillis: number;
  /** A shard id unique to this case. */
  shardId(label: string): string;
  /** A worker id unique to this case. */
  workerId(label: string): string;
  /** Creates (and by default initialises) a checkpointer for a new worker; closed when the case ends. */
  worker(label: string, options?: { tableName?: string; init?: boolean }): Promise<Participant>;
  /** A new table name from the backend's `newTableName` (created lazily by the backend). */
  newTableName(): string;
  /** How long `listOwnedLeases` may lag behind writes (the backend documents it; 0: never). */
  ownedLeasesLagMillis: number;
}

/** The body of one conformance case. */
export type ConformanceCase = (ctx: CaseContext) => Promise<void>;

export interface CaseRunnerDeps {
  runId: string;
  create(args: CreateCheckpointerArgs): Promise<Checkpointer>;
  tableName(): string;
  newTableName(): string;
  failoverTimeMillis: number;
  ownedLeasesLagMillis: number;
}

/** Runs one case with its own ids and closes every checkpointer it created, also when the case fails. */
export async function runCase(deps: CaseRunnerDeps, index: number, body: ConformanceCase): Promise<void> {
  const created: Checkpointer[] = [];
  const prefix = `${deps.runId}-${index}`;
  const ctx: CaseContext = {
    tableName: deps.tableName(),
    failoverTimeMillis: deps.failoverTimeMillis,
    shardId: (label) => `shardId-${prefix}-${label}`,
    workerId: (label) => `worker-${prefix}-${label}`,
    newTableName: () => deps.newTableName(),
    ownedLeasesLagMillis: deps.ownedLeasesLagMillis,
    async worker(label, options = {}) {
      const id = ctx.workerId(label);
      const cp = await deps.create({
        tableName: options.tableName ?? ctx.tableName,
        workerId: id,
        failoverTimeMillis: deps.failoverTimeMillis,
      });
      created.push(cp);
      if (options.init !== false) await cp.init();
      return { id, cp };
    },
  };
  let failure: { error: unknown } | undefined;
  try {
    await body(ctx);
  } catch (error) {
    failure = { error };
  }
  const closing = await Promise.allSettled(created.map((cp) => cp.close()));
  if (failure !== undefined) throw failure.error;
  const closeFailure = closing.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (closeFailure) throw new AssertionError({ message: `close() failed: ${describeError(closeFailure.reason)}` });
}

/** Asserts that `promise` rejects with a KclError of `code` (checked by code, so duplicated @kcl/core copies pass). */
export async function expectKclError(promise: Promise<unknown>, code: KclErrorCode, what: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (isKclError(error) && error.code === code) return;
    throw new AssertionError({ message: `${what}: expected a KclError with code ${code}, got ${describeError(error)}` });
  }
  throw new AssertionError({ message: `${what}: expected a KclError with code ${code}, but the call succeeded` });
}

/**
 * Reads the stored lease of `shardId` through `fetchCheckpoint` into a fresh ShardStatus (a lease without a
 * checkpoint still fills the lease fields). `exists` is false when nothing is stored.
 */
export async function peek(cp: Checkpointer, shardId: string): Promise<ShardStatus & { exists: boolean }> {
  const shard = createShardStatus(shardId);
  try {
    await cp.fetchCheckpoint(shard);
  } catch (error) {
    if (!(isKclError(error) && error.code === 'SEQUENCE_NOT_FOUND')) throw error;
  }
  const exists = shard.leaseCounter > 0 || shard.assignedTo !== undefined || shard.checkpoint !== undefined;
  return Object.assign(shard, { exists });
}

/** A copy of the lease as another worker would pass it to takeLease/claimShard (ListShards fields not needed). */
export function viewOf(lease: ShardStatus): ShardStatus {
  return createShardStatus(lease.id, {
    parentShardIds: [...lease.parentShardIds],
    assignedTo: lease.assignedTo,
    leaseCounter: lease.leaseCounter,
    checkpoint: lease.checkpoint,
    subSequenceNumber: lease.subSequenceNumber,
    claimRequest: lease.claimRequest,
  });
}

/** The lease token of a tenure the case took (fails the case if the store returned none). */
export function tokenOf(shard: ShardStatus): string {
  if (typeof shard.leaseToken !== 'string' || shard.leaseToken.length === 0) {
    throw new AssertionError({ message: `the lease of ${shard.id} has no token: takeLease must set one` });
  }
  return shard.leaseToken;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight. */
export async function inBatches<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await fn(item);
    }
  });
  await Promise.all(lanes);
}

export function describeError(error: unknown): string {
  if (isKclError(error)) return `${error.name} [${error.code}]: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

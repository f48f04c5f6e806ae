import { randomBytes } from 'node:crypto';
import type { Checkpointer } from '../checkpoint/checkpointer';
import { ConfigError } from '../errors';
import { runCase, type CreateCheckpointerArgs } from './conformance-harness';
import { coordinationCases } from './conformance-coordination-cases';
import { leaseCases } from './conformance-lease-cases';
import { orderCases } from './conformance-order-cases';
import { tableCases } from './conformance-table-cases';
import { transitionCases } from './conformance-transition-cases';
import { resolveTestApi, withTimeout, type ConformanceTestApi } from './conformance-test-api';

/** Options of {@link runCheckpointerConformance}. */
export interface CheckpointerConformanceOptions {
  /** Shown in the suite's name, e.g. `'DynamoCheckpoint (dynalite)'`. */
  name: string;
  /**
   * Returns a NEW checkpointer acting for `workerId` on the table (DynamoDB) or key prefix table (Redis) named
   * `tableName`. Calls with the same `tableName` must share one table; different names must be isolated. Do not call
   * `init()`: the suite does (and checks that it is idempotent). The suite closes every checkpointer it created.
   */
  create(args: CreateCheckpointerArgs): Promise<Checkpointer>;
  /**
   * Returns a table name no other run uses. Called once for the suite's main table and once per case that needs a
   * table of its own (a few). Record the names if {@link cleanup} must delete them.
   * @defaultValue `kcl-conformance-<random>`
   */
  newTableName?: () => string;
  /**
   * Called once after every case ran, e.g. to delete the tables or keys created under the names given out.
   * @defaultValue nothing
   */
  cleanup?: () => Promise<void>;
  /**
   * The test framework functions to register the suite with.
   * @defaultValue the globals `describe`, `it`, `beforeAll` (or mocha's `before`) and `afterAll` (or `after`),
   * looked up on globalThis when {@link runCheckpointerConformance} is called (jest, vitest with `globals: true`,
   * mocha)
   */
  test?: ConformanceTestApi;
  /**
   * Timeout of each case in milliseconds (passed to the framework).
   * @defaultValue 30000
   */
  timeoutMs?: number;
  /**
   * The failover time (ms) given to `create` and used by the expiry case's LeaseObserver. Small keeps the suite
   * fast; raise it if the backend's round trip is slow (the owner renews every failover/5 in that case).
   * @defaultValue 300
   */
  failoverTimeMillis?: number;
  /**
   * How long the backend's `listOwnedLeases` may lag behind the writes that change owners (e.g. the propagation delay
   * of a DynamoDB global secondary index, documented as a fraction of a second). The owner-index cases poll up to
   * this long for the expected answer; 0 asserts at once (a store whose index is updated with the lease, such as
   * Redis, the in-memory store or dynalite).
   * @defaultValue 0
   */
  ownedLeasesLagMillis?: number;
}

/** The names of every case, in the order they are registered (handy for filtering with `-t`). */
export const CHECKPOINTER_CONFORMANCE_CASES: readonly string[] = [
  ...tableCases,
  ...leaseCases,
  ...transitionCases,
  ...orderCases,
  ...coordinationCases,
].map(([name]) => name);

/**
 * Registers the Checkpointer conformance suite: one `describe` with one test per rule of the {@link Checkpointer}
 * contract (take, renew, expiry on the observer's clock, fencing of renewals, checkpoints and releases by token,
 * 20-way races, claims and hand-off, checkpoint order, SHARD_END being final, deletion of finished leases only,
 * parents, paging over 160 leases, table isolation; fleet coordination: worker registry, coordinator lease, owner
 * index, transferLease, renewLeases). Every backend runs it against a real server:
 *
 * ```ts
 * import { runCheckpointerConformance } from '@kcl/core/testing';
 *
 * runCheckpointerConformance({
 *   name: 'RedisCheckpoint',
 *   create: async ({ tableName, workerId, failoverTimeMillis }) =>
 *     new RedisCheckpoint(
 *       new KinesisClientLibConfig(tableName, 'stream', 'us-east-1', workerId).withFailoverTimeMillis(failoverTimeMillis),
 *       { address: redisUrl, keyPrefix: 'conformance' },
 *     ),
 *   cleanup: async () => { ... },
 * });
 * ```
 *
 * Assertions use `node:assert/strict`, so the suite runs under jest, vitest or mocha. Cases share the main table and
 * use shard and worker ids unique to the run and the case, so the table may be reused between runs.
 */
export function runCheckpointerConformance(options: CheckpointerConformanceOptions): void {
  const api = resolveTestApi(options.test);
  const failoverTimeMillis = options.failoverTimeMillis ?? 300;
  if (!Number.isFinite(failoverTimeMillis) || failoverTimeMillis <= 0) {
    throw new ConfigError('failoverTimeMillis', failoverTimeMillis, 'a finite number of milliseconds > 0');
  }
  const ownedLeasesLagMillis = options.ownedLeasesLagMillis ?? 0;
  if (!Number.isFinite(ownedLeasesLagMillis) || ownedLeasesLagMillis < 0) {
    throw new ConfigError('ownedLeasesLagMillis', ownedLeasesLagMillis, 'a finite number of milliseconds >= 0');
  }
  const timeoutMs = Math.max(options.timeoutMs ?? 30_000, 12 * failoverTimeMillis + 5_000);
  const runId = randomBytes(4).toString('hex');
  const newTableName = options.newTableName ?? (() => `kcl-conformance-${randomBytes(6).toString('hex')}`);
  let mainTable: string | undefined;
  const deps = {
    runId,
    failoverTimeMillis,
    ownedLeasesLagMillis,
    create: (args: CreateCheckpointerArgs) => options.create(args),
    newTableName: () => newTableName(),
    tableName: () => {
      mainTable ??= newTableName();
      return mainTable;
    },
  };

  api.describe(`Checkpointer conformance: ${options.name}`, () => {
    const cleanup = options.cleanup;
    if (cleanup)
      api.afterAll(
        withTimeout(() => cleanup(), timeoutMs),
        timeoutMs,
      );
    [...tableCases, ...leaseCases, ...transitionCases, ...orderCases, ...coordinationCases].forEach(([name, body], index) => {
      api.it(
        name,
        withTimeout(() => runCase(deps, index, body), timeoutMs),
        timeoutMs,
      );
    });
  });
}

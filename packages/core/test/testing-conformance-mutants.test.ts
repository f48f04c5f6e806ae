/**
 * The conformance suite must catch broken backends: each mutant below breaks one rule of the Checkpointer contract
 * and the case guarding that rule must fail (with an assertion, not a crash). Runs the suite through its injectable
 * test API, so the cases are called directly here.
 */
import type { Checkpointer } from '../src/checkpoint/checkpointer';
import { SHARD_END, createShardStatus, type ShardStatus } from '../src/checkpoint/shard-status';
import { LeaseNotAcquiredError } from '../src/errors';
import {
  CHECKPOINTER_CONFORMANCE_CASES,
  InMemoryCheckpointer,
  InMemoryLeaseTable,
  runCheckpointerConformance,
  type ConformanceTestFn,
} from '../src/testing';
import { withTimeout } from '../src/testing/conformance-test-api';

type Mutate = (inner: InMemoryCheckpointer, table: InMemoryLeaseTable, workerId: string) => Partial<Checkpointer>;

/** Registers the suite for a checkpointer built by `mutate` and returns its cases by name. */
function collectCases(mutate: Mutate) {
  const tables = new Map<string, InMemoryLeaseTable>();
  const cases = new Map<string, ConformanceTestFn>();
  runCheckpointerConformance({
    name: 'mutant',
    failoverTimeMillis: 100,
    test: {
      describe: (_name, fn) => fn(),
      it: (name, fn) => cases.set(name, fn),
      afterAll: () => undefined,
    },
    create: async ({ tableName, workerId, failoverTimeMillis }) => {
      let table = tables.get(tableName);
      if (!table) tables.set(tableName, (table = new InMemoryLeaseTable(tableName)));
      const inner = new InMemoryCheckpointer(table, { workerId, failoverTimeMillis });
      const overrides = mutate(inner, table, workerId);
      const methods = [
        'init', 'getLease', 'checkpointSequence', 'fetchCheckpoint', 'removeLeaseInfo', 'removeLeaseOwner',
        'getLeaseOwner', 'listActiveWorkers', 'claimShard', 'listLeases', 'close',
      ] as const;
      const wrapped = Object.fromEntries(methods.map((m) => [m, overrides[m] ?? inner[m].bind(inner)]));
      return wrapped as unknown as Checkpointer;
    },
  });
  return cases;
}

async function outcome(cases: Map<string, ConformanceTestFn>, namePart: string): Promise<unknown> {
  const match = [...cases.keys()].filter((name) => name.includes(namePart));
  expect(match).toHaveLength(1);
  try {
    await cases.get(match[0]!)!();
    return undefined;
  } catch (error) {
    return error;
  }
}

const isTake = (shard: ShardStatus, worker: string) => !(shard.assignedTo === worker && shard.leaseToken !== undefined);

const mutants: Array<[string, Mutate, string]> = [
  [
    'a take that ignores the counter the caller observed',
    (inner, table) => ({
      getLease: async (shard, worker) => {
        if (isTake(shard, worker)) shard.leaseCounter = table.get(shard.id)?.leaseCounter ?? 0;
        return inner.getLease(shard, worker);
      },
    }),
    'a take with a stale counter',
  ],
  [
    'a take that reads, then writes (not atomic)',
    (inner, table) => ({
      getLease: async (shard, worker) => {
        if (!isTake(shard, worker)) return inner.getLease(shard, worker);
        const current = await table.run('fetchCheckpoint', (leases) => leases.get(shard.id)?.leaseCounter ?? 0);
        if (current !== shard.leaseCounter) throw new LeaseNotAcquiredError(shard.id);
        const fresh = await table.run('getLease', (leases) => {
          const next = { ...createShardStatus(shard.id), assignedTo: worker, leaseCounter: current + 1, leaseToken: worker };
          leases.set(shard.id, next);
          return next;
        });
        Object.assign(shard, fresh);
      },
    }),
    'exactly one of 20 concurrent contenders wins a new shard',
  ],
  [
    'a checkpoint that is not fenced by the lease token',
    (inner, table) => ({
      checkpointSequence: async (shard) => {
        const stored = table.get(shard.id);
        if (stored?.assignedTo === shard.assignedTo) shard.leaseToken = stored?.leaseToken;
        return inner.checkpointSequence(shard);
      },
    }),
    'checkpoint by a non-owner or with a stale token',
  ],
  [
    'listLeases that reads only the first page',
    (inner) => ({ listLeases: async () => (await inner.listLeases()).sort((a, b) => a.id.localeCompare(b.id)).slice(0, 100) }),
    'read every page',
  ],
  [
    'a release that does not increment the counter',
    (_inner, table, workerId) => ({
      removeLeaseOwner: async (shardId) => {
        await table.run('removeLeaseOwner', (leases) => {
          const lease = leases.get(shardId);
          if (lease?.assignedTo === workerId) Object.assign(lease, { assignedTo: undefined, leaseToken: undefined });
        });
      },
    }),
    'the owner sees the claim on renewal, releases',
  ],
  [
    'a renewal that does not increment the counter',
    (inner, table) => ({
      getLease: async (shard, worker) => {
        if (isTake(shard, worker)) return inner.getLease(shard, worker);
        const stored = table.get(shard.id);
        if (stored?.assignedTo !== worker || stored.leaseToken !== shard.leaseToken) return inner.getLease(shard, worker);
        Object.assign(shard, stored);
      },
    }),
    'expiry: an observer',
  ],
  [
    'a release fenced only by the worker id (the token is ignored)',
    (inner, table) => ({
      removeLeaseOwner: async (shardId, leaseToken) => inner.removeLeaseOwner(shardId, table.get(shardId)?.leaseToken ?? leaseToken),
    }),
    'removeLeaseOwner is fenced by the token',
  ],
  [
    'a checkpoint fenced by the lease but written in any order',
    (inner, table) => ({
      checkpointSequence: async (shard) => {
        const stored = table.get(shard.id);
        if (!stored || stored.assignedTo !== shard.assignedTo || stored.leaseToken !== shard.leaseToken) return inner.checkpointSequence(shard);
        table.put({ ...stored, checkpoint: shard.checkpoint, subSequenceNumber: shard.subSequenceNumber });
      },
    }),
    'a checkpoint never moves backwards',
  ],
  [
    'a checkpoint order that compares sequence numbers as doubles',
    (inner, table) => ({
      checkpointSequence: async (shard) => {
        const stored = table.get(shard.id);
        const same = stored?.checkpoint !== undefined && shard.checkpoint !== SHARD_END && Number(stored.checkpoint) === Number(shard.checkpoint);
        if (!same || stored?.assignedTo !== shard.assignedTo || stored?.leaseToken !== shard.leaseToken) return inner.checkpointSequence(shard);
        table.put({ ...stored, checkpoint: shard.checkpoint, subSequenceNumber: shard.subSequenceNumber });
      },
    }),
    'a checkpoint never moves backwards',
  ],
  [
    'a store where SHARD_END is not final',
    (inner, table) => ({
      checkpointSequence: async (shard) => {
        const stored = table.get(shard.id);
        if (stored?.checkpoint !== SHARD_END || stored.leaseToken !== shard.leaseToken) return inner.checkpointSequence(shard);
        table.put({ ...stored, checkpoint: shard.checkpoint, subSequenceNumber: shard.subSequenceNumber });
      },
    }),
    'SHARD_END is final',
  ],
  [
    'an unconditional removeLeaseInfo',
    (_inner, table) => ({
      removeLeaseInfo: async (shardId) => {
        await table.run('removeLeaseInfo', (leases) => leases.delete(shardId));
      },
    }),
    'removeLeaseInfo deletes only a lease at SHARD_END',
  ],
];

describe('checkpointer conformance suite catches broken backends', () => {
  it('registers every case once, with the documented names', () => {
    const cases = collectCases(() => ({}));
    expect([...cases.keys()]).toEqual(CHECKPOINTER_CONFORMANCE_CASES);
    expect(new Set(CHECKPOINTER_CONFORMANCE_CASES).size).toBe(CHECKPOINTER_CONFORMANCE_CASES.length);
    expect(CHECKPOINTER_CONFORMANCE_CASES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(mutants)('%s fails its case', async (_label, mutate, caseName) => {
    const error = await outcome(collectCases(mutate), caseName);
    expect(error).toBeDefined();
    expect((error as Error).name).toBe('AssertionError');
  });

  it('the unmodified in-memory checkpointer passes the same guarded cases', async () => {
    const cases = collectCases(() => ({}));
    for (const caseName of new Set(mutants.map(([, , name]) => name))) {
      expect(await outcome(cases, caseName)).toBeUndefined();
    }
  });

  it('gives mocha its timeout through this.timeout', async () => {
    const seen: number[] = [];
    const fn = withTimeout(async () => undefined, 1234);
    await fn.call({ timeout: (ms: number) => seen.push(ms) });
    expect(seen).toEqual([1234]);
  });
});

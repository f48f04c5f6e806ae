/**
 * The conformance suite must catch broken backends: each mutant below breaks one rule of the Checkpointer contract
 * and the case guarding that rule must fail (with an assertion, not a crash). Runs the suite through its injectable
 * test API, so the cases are called directly here.
 */
import type { Checkpointer } from '../src/checkpoint/checkpointer';
import { SHARD_END, createShardStatus, type ShardStatus } from '../src/checkpoint/shard-status';
import { COORDINATOR_LEASE_ID } from '../src/checkpoint/coordination';
import { LeaseLostError, LeaseNotAcquiredError } from '../src/errors';
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
function collectCases(mutate: Mutate, ownedLeasesLagMillis?: number) {
  const tables = new Map<string, InMemoryLeaseTable>();
  const cases = new Map<string, ConformanceTestFn>();
  runCheckpointerConformance({
    name: 'mutant',
    failoverTimeMillis: 100,
    ...(ownedLeasesLagMillis === undefined ? {} : { ownedLeasesLagMillis }),
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
        'init',
        'takeLease',
        'renewLease',
        'checkpointSequence',
        'fetchCheckpoint',
        'removeLeaseInfo',
        'removeLeaseOwner',
        'getLeaseOwner',
        'listActiveWorkers',
        'claimShard',
        'listLeases',
        'close',
        'heartbeat',
        'removeWorker',
        'listWorkers',
        'getCoordinatorLease',
        'takeCoordinatorLease',
        'renewCoordinatorLease',
        'releaseCoordinatorLease',
        'listOwnedLeases',
        'transferLease',
        'renewLeases',
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

/** An owner index kept by the mutant itself (per table), updated only where the mutant says so. */
const ownerSets = new WeakMap<InMemoryLeaseTable, Map<string, Set<string>>>();
function ownerIndex(table: InMemoryLeaseTable): Map<string, Set<string>> {
  let index = ownerSets.get(table);
  if (!index) ownerSets.set(table, (index = new Map()));
  return index;
}
/** A store whose owner index is maintained by take/renew and release but not by `forget` (e.g. transfer). */
function indexMaintainedExcept(forget: 'transferLease' | 'removeLeaseInfo' | 'takeOver'): Mutate {
  return (inner, table) => {
    const index = ownerIndex(table);
    const move = (shardId: string, from: string | undefined, to: string | undefined) => {
      if (from !== undefined) index.get(from)?.delete(shardId);
      if (to !== undefined) index.set(to, (index.get(to) ?? new Set()).add(shardId));
    };
    return {
      takeLease: async (shard, worker) => {
        const before = table.get(shard.id)?.assignedTo;
        await inner.takeLease(shard, worker);
        move(shard.id, forget === 'takeOver' ? undefined : before, worker);
      },
      removeLeaseOwner: async (shardId, token) => {
        const before = table.get(shardId)?.assignedTo;
        await inner.removeLeaseOwner(shardId, token);
        move(shardId, before, undefined);
      },
      transferLease: async (shardId, token, from, to) => {
        const moved = await inner.transferLease(shardId, token, from, to);
        if (forget !== 'transferLease') move(shardId, from, to);
        return moved;
      },
      removeLeaseInfo: async (shardId) => {
        const before = table.get(shardId)?.assignedTo;
        await inner.removeLeaseInfo(shardId);
        if (forget !== 'removeLeaseInfo') move(shardId, before, undefined);
      },
      listOwnedLeases: async (worker) =>
        [...(index.get(worker) ?? [])].map((shardId) => ({ shardId, leaseCounter: table.get(shardId)?.leaseCounter ?? 0 })),
    };
  };
}

const mutants: Array<[string, Mutate, string]> = [
  [
    'a take that ignores the counter the caller observed',
    (inner, table) => ({
      takeLease: async (shard, worker) => {
        shard.leaseCounter = table.get(shard.id)?.leaseCounter ?? 0;
        return inner.takeLease(shard, worker);
      },
    }),
    'a take with a stale counter',
  ],
  [
    'a take that reads, then writes (not atomic)',
    (inner, table) => ({
      takeLease: async (shard, worker) => {
        const current = await table.run('fetchCheckpoint', (leases) => leases.get(shard.id)?.leaseCounter ?? 0);
        if (current !== shard.leaseCounter) throw new LeaseNotAcquiredError(shard.id);
        const fresh = await table.run('takeLease', (leases) => {
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
      renewLease: async (shard, worker) => {
        const stored = table.get(shard.id);
        if (stored?.assignedTo !== worker || stored.leaseToken !== shard.leaseToken) return inner.renewLease(shard, worker);
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
  [
    'a heartbeat that sets the counter instead of adding 1',
    (inner, table) => ({
      heartbeat: async (workerId) => {
        if (table.workers().some((w) => w.workerId === workerId)) return;
        return inner.heartbeat(workerId);
      },
    }),
    'heartbeat creates a registry entry',
  ],
  [
    'a heartbeat that reads, then writes (not atomic)',
    (inner, table) => ({
      heartbeat: async (workerId) => {
        const counter = await table.run('listWorkers', (_l, state) => state.workers.get(workerId) ?? 0);
        await table.run('heartbeat', (_l, state) => state.workers.set(workerId, counter + 1));
      },
    }),
    'heartbeat creates a registry entry',
  ],
  ['a removeWorker that keeps the entry', () => ({ removeWorker: async () => undefined }), 'heartbeat creates a registry entry'],
  [
    'a coordinator take that ignores the observed counter',
    (inner, table) => ({
      takeCoordinatorLease: async (workerId) => inner.takeCoordinatorLease(workerId, table.coordinatorLease?.leaseCounter ?? 0),
    }),
    'coordinator lease: taken when absent at 0',
  ],
  [
    'a coordinator renewal fenced only by the worker id',
    (inner, table) => ({
      renewCoordinatorLease: async (workerId, token) => inner.renewCoordinatorLease(workerId, table.coordinatorLease?.leaseToken ?? token),
    }),
    'coordinator lease: renewed and released only by its owner',
  ],
  [
    'a coordinator release fenced only by the worker id',
    (inner, table) => ({
      releaseCoordinatorLease: async (workerId, token) =>
        inner.releaseCoordinatorLease(workerId, table.coordinatorLease?.assignedTo === workerId ? table.coordinatorLease.leaseToken! : token),
    }),
    'coordinator lease: renewed and released only by its owner',
  ],
  [
    'a coordinator release that does not increment the counter',
    (_inner, table) => ({
      releaseCoordinatorLease: async (workerId, token) => {
        await table.run('releaseCoordinatorLease', (_l, state) => {
          const lease = state.coordinator;
          if (lease?.assignedTo === workerId && lease.leaseToken === token) state.coordinator = { leaseCounter: lease.leaseCounter };
        });
      },
    }),
    'coordinator lease: renewed and released only by its owner',
  ],
  ['an owner index that transferLease does not update', indexMaintainedExcept('transferLease'), 'listOwnedLeases follows'],
  ['an owner index that removeLeaseInfo does not update', indexMaintainedExcept('removeLeaseInfo'), 'listOwnedLeases follows'],
  ["an owner index where a take-over leaves the lease in the old owner's set", indexMaintainedExcept('takeOver'), 'listOwnedLeases follows'],
  [
    'a transfer that keeps the old token',
    (inner, table) => ({
      transferLease: async (shardId, token, from, to) => {
        const moved = await inner.transferLease(shardId, token, from, to);
        table.put({ ...moved, leaseToken: token });
        return { ...moved, leaseToken: token };
      },
    }),
    'transferLease hands a lease over',
  ],
  [
    'a transfer that keeps the claim',
    (inner, table) => ({
      transferLease: async (shardId, token, from, to) => {
        const claim = table.get(shardId)?.claimRequest;
        const moved = await inner.transferLease(shardId, token, from, to);
        table.put({ ...moved, claimRequest: claim });
        return { ...moved, claimRequest: claim };
      },
    }),
    'transferLease hands a lease over',
  ],
  [
    'a transfer fenced only by the owner (the token is ignored)',
    (inner, table) => ({
      transferLease: async (shardId, token, from, to) => inner.transferLease(shardId, table.get(shardId)?.leaseToken ?? token, from, to),
    }),
    'transferLease is refused',
  ],
  [
    'a transfer allowed at SHARD_END',
    (inner, table) => ({
      transferLease: async (shardId, token, from, to) => {
        const stored = table.get(shardId);
        if (stored?.checkpoint !== SHARD_END || stored.assignedTo !== from || stored.leaseToken !== token) {
          return inner.transferLease(shardId, token, from, to);
        }
        const moved = { ...stored, assignedTo: to, leaseToken: `${token}-moved`, leaseCounter: stored.leaseCounter + 1 };
        table.put(moved);
        return moved;
      },
    }),
    'transferLease is refused',
  ],
  [
    'listLeases that lists the coordinator lease as a shard',
    (inner, table) => ({
      listLeases: async () => {
        const leases = await inner.listLeases();
        const leader = table.coordinatorLease;
        return leader ? [...leases, createShardStatus(COORDINATOR_LEASE_ID, { ...leader })] : leases;
      },
    }),
    'coordination entries',
  ],
  [
    'a batch renewal that fails as a whole when one lease is lost',
    (inner) => ({
      renewLeases: async (shards, workerId) => {
        const results = await inner.renewLeases(shards, workerId);
        const failed = results.find((r) => r instanceof Error);
        if (failed) throw failed;
        return results;
      },
    }),
    'renewLeases (when implemented)',
  ],
  [
    'a batch renewal that renews without checking the token',
    (inner, table) => ({
      renewLeases: async (shards, workerId) =>
        inner.renewLeases(
          shards.map((shard) => {
            const stored = table.get(shard.id);
            if (stored?.assignedTo === workerId) shard.leaseToken = stored.leaseToken;
            return shard;
          }),
          workerId,
        ),
    }),
    'renewLeases (when implemented)',
  ],
  [
    'a batch renewal that answers every slot with LeaseLostError when one is lost',
    (inner) => ({
      renewLeases: async (shards, workerId) => {
        const results = await inner.renewLeases(shards, workerId);
        const failed = results.find((r) => r instanceof Error);
        return failed ? results.map(() => new LeaseLostError(shards[0]?.id ?? '?')) : results;
      },
    }),
    'renewLeases (when implemented)',
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

  it('polls a lagging owner index for up to ownedLeasesLagMillis (and asserts at once without it)', async () => {
    // an index that shows the leases as they were before the latest writes until 150 ms after them, like a GSI
    const lagState = new WeakMap<InMemoryLeaseTable, { snapshot: ShardStatus[]; visibleAt: number }>();
    const lagging: Mutate = (inner, table) => {
      const write =
        <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
        async (...args: A): Promise<R> => {
          const state = lagState.get(table);
          if (!state || Date.now() >= state.visibleAt) lagState.set(table, { snapshot: table.list(), visibleAt: 0 });
          try {
            return await fn(...args);
          } finally {
            lagState.get(table)!.visibleAt = Date.now() + 150;
          }
        };
      return {
        takeLease: write(inner.takeLease.bind(inner)),
        renewLease: write(inner.renewLease.bind(inner)),
        removeLeaseOwner: write(inner.removeLeaseOwner.bind(inner)),
        transferLease: write(inner.transferLease.bind(inner)),
        removeLeaseInfo: write(inner.removeLeaseInfo.bind(inner)),
        listOwnedLeases: async (worker) => {
          const state = lagState.get(table);
          if (!state || Date.now() >= state.visibleAt) return inner.listOwnedLeases(worker);
          return state.snapshot.filter((l) => l.assignedTo === worker).map((l) => ({ shardId: l.id, leaseCounter: l.leaseCounter }));
        },
      };
    };
    const caseName = 'listOwnedLeases follows';
    const strict = await outcome(collectCases(lagging), caseName);
    expect((strict as Error | undefined)?.name).toBe('AssertionError');
    expect(await outcome(collectCases(lagging, 5_000), caseName)).toBeUndefined();
  });

  it('gives mocha its timeout through this.timeout', async () => {
    const seen: number[] = [];
    const fn = withTimeout(async () => undefined, 1234);
    await fn.call({ timeout: (ms: number) => seen.push(ms) });
    expect(seen).toEqual([1234]);
  });
});

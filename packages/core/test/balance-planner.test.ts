/** The leader's pure planner: assignments of free leases and hand-off claims toward targets within 1. */
import { createShardStatus, SHARD_END, type ShardStatus } from '../src/checkpoint/shard-status';
import { computeTargets, planBalance, type BalanceInput } from '../src/leases/balance-planner';
import { assessLeases } from '../src/leases/lease-assessment';
import { LeaseObserver } from '../src/leases/lease-observer';
import { ShardRegistry } from '../src/shards/shard-registry';

const owned = (id: string, owner: string, extra: Partial<ShardStatus> = {}): ShardStatus =>
  createShardStatus(id, { assignedTo: owner, leaseToken: `t-${owner}`, leaseCounter: 3, ...extra });

function input(over: Partial<BalanceInput> & Pick<BalanceInput, 'leasable'>): BalanceInput {
  return {
    leases: new Map(),
    liveWorkers: [],
    isExpired: () => false,
    maxLeasesForWorker: 1_000,
    recentlyMoved: new Set(),
    balance: true,
    ...over,
  };
}

/** The loads after applying a plan (assignments and claims as if every hand-off completed). */
function after(plan: ReturnType<typeof planBalance>): Map<string, number> {
  const loads = new Map(plan.loads);
  for (const a of plan.assignments) loads.set(a.to, (loads.get(a.to) ?? 0) + 1);
  for (const c of plan.claims) {
    loads.set(c.from, (loads.get(c.from) ?? 0) - 1);
    loads.set(c.to, (loads.get(c.to) ?? 0) + 1);
  }
  return loads;
}

test('a cold table is spread over the live workers, targets within 1', () => {
  const plan = planBalance(input({ leasable: ['s0', 's1', 's2', 's3', 's4'], liveWorkers: ['a', 'b'] }));
  expect(plan.claims).toEqual([]);
  expect(plan.assignments.map((a) => a.kind)).toEqual(['new', 'new', 'new', 'new', 'new']);
  expect([...after(plan).values()].sort()).toEqual([2, 3]);
});

test('a joining worker gets claims from the over-loaded one, never below its share', () => {
  const leases = new Map(['s0', 's1', 's2', 's3'].map((id) => [id, owned(id, 'a')]));
  const plan = planBalance(input({ leasable: [...leases.keys()], leases, liveWorkers: ['a', 'b'] }));
  expect(plan.assignments).toEqual([]);
  expect(plan.claims.map((c) => [c.from, c.to])).toEqual([
    ['a', 'b'],
    ['a', 'b'],
  ]);
});

test('4 leases, 3 workers at 2/2/0: one of the two at ceil gives (targets 2/1/1)', () => {
  const leases = new Map([owned('s0', 'a'), owned('s1', 'a'), owned('s2', 'b'), owned('s3', 'b')].map((l) => [l.id, l]));
  const plan = planBalance(input({ leasable: [...leases.keys()], leases, liveWorkers: ['a', 'b', 'c'] }));
  expect(plan.claims).toHaveLength(1);
  expect(plan.claims[0]!.to).toBe('c');
  expect([...after(plan).values()].sort()).toEqual([1, 1, 2]);
});

test('without balancing no claim is made, but unowned and expired leases are still assigned', () => {
  const leases = new Map(
    [owned('s0', 'a'), owned('s1', 'a'), owned('s2', 'dead'), createShardStatus('s3', { leaseCounter: 5 })].map((l) => [l.id, l]),
  );
  const plan = planBalance(
    input({ leasable: ['s0', 's1', 's2', 's3'], leases, liveWorkers: ['a', 'b'], isExpired: (id) => id === 's2', balance: false }),
  );
  expect(plan.claims).toEqual([]);
  expect(plan.assignments.map((a) => [a.shardId, a.kind, a.to])).toEqual([
    ['s2', 'expired', 'b'],
    ['s3', 'unowned', 'b'],
  ]);
});

test('a lease with a pending claim or moved recently is never claimed', () => {
  const leases = new Map([owned('s0', 'a', { claimRequest: 'x' }), owned('s1', 'a'), owned('s2', 'a'), owned('s3', 'a')].map((l) => [l.id, l]));
  const plan = planBalance(input({ leasable: [...leases.keys()], leases, liveWorkers: ['a', 'b'], recentlyMoved: new Set(['s1', 's2']) }));
  expect(plan.claims.map((c) => c.shardId)).toEqual(['s3']);
});

test('hand-offs already asked for count as done: the next round does not ask again', () => {
  const leases = new Map(
    [owned('s0', 'a', { claimRequest: 'b' }), owned('s1', 'a', { claimRequest: 'b' }), owned('s2', 'a'), owned('s3', 'a')].map((l) => [l.id, l]),
  );
  const plan = planBalance(input({ leasable: [...leases.keys()], leases, liveWorkers: ['a', 'b'] }));
  expect(plan.claims).toEqual([]);
  expect(plan.loads).toEqual(
    new Map([
      ['a', 2],
      ['b', 2],
    ]),
  );
});

test('a worker without a heartbeat keeps its live leases but receives nothing', () => {
  const leases = new Map([owned('s0', 'old'), createShardStatus('s1', { leaseCounter: 1 })].map((l) => [l.id, l]));
  const plan = planBalance(input({ leasable: ['s0', 's1'], leases, liveWorkers: ['a'] }));
  expect(plan.assignments.map((a) => a.to)).toEqual(['a']);
  expect(plan.claims).toEqual([]);
});

test('maxLeasesForWorker caps assignments and receivers', () => {
  const plan = planBalance(input({ leasable: ['s0', 's1', 's2', 's3', 's4'], liveWorkers: ['a', 'b'], maxLeasesForWorker: 2 }));
  expect(plan.assignments).toHaveLength(4);
  expect([...after(plan).values()]).toEqual([2, 2]);
});

test('computeTargets: floor for all, ceil for the most loaded, capped', () => {
  expect(
    computeTargets(
      5,
      new Map([
        ['a', 0],
        ['b', 5],
        ['c', 0],
      ]),
      100,
    ),
  ).toEqual(
    new Map([
      ['b', 2],
      ['a', 2],
      ['c', 1],
    ]),
  );
  expect(
    computeTargets(
      5,
      new Map([
        ['a', 0],
        ['b', 5],
      ]),
      2,
    ),
  ).toEqual(
    new Map([
      ['b', 2],
      ['a', 2],
    ]),
  );
  expect(computeTargets(3, new Map(), 2)).toEqual(new Map());
});

test('parents before children: a child of an unfinished parent is not leasable, so it is not assigned', () => {
  const registry = new ShardRegistry();
  registry.applyListing([
    { shardId: 'p', parentShardIds: [] },
    { shardId: 'c', parentShardIds: ['p'] },
    { shardId: 'q', parentShardIds: [] },
  ]);
  const observer = new LeaseObserver({ failoverTimeMillis: 1_000, clock: () => 0 });
  const leases = new Map<string, ShardStatus>([['q', createShardStatus('q', { checkpoint: SHARD_END, leaseCounter: 2 })]]);
  const assessment = assessLeases({
    workerId: 'leader',
    leases,
    registry,
    observer,
    heldIds: new Set(),
    endedLocally: new Set(),
    maxLeasesForWorker: 100,
    isClaimStale: () => false,
  });
  const plan = planBalance(input({ leasable: assessment.leasable, leases, liveWorkers: ['a', 'b'] }));
  expect(plan.assignments.map((a) => a.shardId)).toEqual(['p']);
});

/** A small deterministic PRNG (mulberry32) so the random scenarios are the same on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('random tables: every invariant holds', () => {
  const random = prng(42);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  for (let round = 0; round < 1_000; round++) {
    const workerCount = 1 + Math.floor(random() * 6);
    const all = Array.from({ length: workerCount + 2 }, (_, i) => `w${i}`);
    const liveWorkers = all.slice(0, workerCount).filter(() => random() < 0.9);
    const shardCount = Math.floor(random() * 30);
    const leases = new Map<string, ShardStatus>();
    const expired = new Set<string>();
    const recentlyMoved = new Set<string>();
    const leasable: string[] = [];
    for (let i = 0; i < shardCount; i++) {
      const id = `s${String(i).padStart(2, '0')}`;
      leasable.push(id);
      const r = random();
      if (r < 0.15) continue; // new
      if (r < 0.25) {
        leases.set(id, createShardStatus(id, { leaseCounter: 2 }));
        continue;
      }
      const owner = random() < 0.7 ? pick(all.slice(0, 2)) : pick(all);
      leases.set(id, owned(id, owner, random() < 0.1 ? { claimRequest: pick(all) } : {}));
      if (random() < 0.1) expired.add(id);
      if (random() < 0.1) recentlyMoved.add(id);
    }
    const max = random() < 0.2 ? 1 + Math.floor(random() * 5) : 1_000;
    const balance = random() < 0.8;
    const plan = planBalance({ leasable, leases, liveWorkers, isExpired: (id) => expired.has(id), maxLeasesForWorker: max, recentlyMoved, balance });
    const label = JSON.stringify({ round, liveWorkers, max, balance });

    // No lease moves twice; only free leases are assigned, only live owned ones claimed.
    const moved = [...plan.assignments.map((a) => a.shardId), ...plan.claims.map((c) => c.shardId)];
    expect({ label, dup: moved.length - new Set(moved).size }).toEqual({ label, dup: 0 });
    for (const a of plan.assignments) {
      const lease = leases.get(a.shardId);
      expect(lease === undefined || lease.assignedTo === undefined || expired.has(a.shardId)).toBe(true);
      expect(liveWorkers).toContain(a.to);
    }
    if (!balance) expect(plan.claims).toEqual([]);
    for (const c of plan.claims) {
      const lease = leases.get(c.shardId)!;
      expect(lease.assignedTo).toBe(c.from);
      expect(lease.claimRequest).toBeUndefined();
      expect(recentlyMoved.has(c.shardId)).toBe(false);
      expect(expired.has(c.shardId)).toBe(false);
      expect(liveWorkers).toContain(c.to);
      expect(c.to).not.toBe(c.from);
    }
    // Targets within 1 (uncapped ones), never above the cap.
    const targets = [...plan.targets.values()];
    if (targets.length > 0) {
      const uncapped = targets.filter((t) => t < max);
      if (uncapped.length > 0) expect(Math.max(...uncapped) - Math.min(...uncapped)).toBeLessThanOrEqual(1);
      expect(Math.max(...targets)).toBeLessThanOrEqual(max);
    }
    const final = after(plan);
    for (const [w, load] of final) {
      const target = plan.targets.get(w) ?? 0;
      const before = plan.loads.get(w) ?? 0;
      const gave = plan.claims.filter((c) => c.from === w).length;
      // A giver never drops below its target (so nobody at or below its share gives).
      if (gave > 0) expect({ label, w, load, target }).toEqual({ label, w, load: Math.max(load, target), target });
      // A receiver never goes above its target (nor the cap).
      if (load > before) expect(load).toBeLessThanOrEqual(Math.min(target, max));
    }
    // Free leases are not left over while a live worker is below its target.
    const free = leasable.filter((id) => !leases.get(id)?.assignedTo || expired.has(id));
    if (plan.assignments.length < free.length) {
      for (const w of liveWorkers) expect((final.get(w) ?? 0) + 0).toBeGreaterThanOrEqual(plan.targets.get(w) ?? 0);
    }
    // With balancing, only pending claims, recent moves and heartbeat-less owners can keep a live worker below target.
    if (balance) {
      const stuck = liveWorkers.some((w) => (final.get(w) ?? 0) < (plan.targets.get(w) ?? 0));
      const excess = [...final].some(([w, load]) => {
        if (load <= (plan.targets.get(w) ?? 0)) return false;
        const movable = [...leases.values()].filter(
          (l) =>
            l.assignedTo === w &&
            !expired.has(l.id) &&
            l.claimRequest === undefined &&
            !recentlyMoved.has(l.id) &&
            !plan.claims.some((c) => c.shardId === l.id),
        );
        return movable.length > 0;
      });
      expect({ label, stuckWithMovableExcess: stuck && excess }).toEqual({ label, stuckWithMovableExcess: false });
    }
  }
});

test('a free lease its best receiver may not have goes to another live worker below the highest target', () => {
  const leases = new Map([['s0', owned('s0', 'a')]]);
  const plan = planBalance(input({ leasable: ['s0'], leases, liveWorkers: ['a', 'b'], isExpired: () => true, cannotReceive: (w) => w === 'a' }));
  expect(plan.assignments.map((a) => [a.shardId, a.to])).toEqual([['s0', 'b']]);
});

/** Which leases a worker may take, its fair share, and when children of a reshard become leasable. */
import { createShardStatus, SHARD_END, type ShardStatus } from '../src/checkpoint/shard-status';
import { assessLeases, type AssessmentInput } from '../src/leases/lease-assessment';
import { LeaseObserver } from '../src/leases/lease-observer';
import { ShardRegistry, type ShardInfo } from '../src/shards/shard-registry';
import { unfinishedParents } from '../src/shards/shard-lineage';

const F = 1_000;

function setup(shards: Array<string | ShardInfo>, leases: ShardStatus[] = []) {
  let now = 0;
  const registry = new ShardRegistry();
  registry.applyListing(shards.map((s) => (typeof s === 'string' ? { shardId: s, parentShardIds: [] } : s)));
  const observer = new LeaseObserver({ failoverTimeMillis: F, clock: () => now });
  const table = new Map(leases.map((l) => [l.id, l]));
  observer.observe(leases);
  const input = (overrides: Partial<AssessmentInput> = {}): AssessmentInput => ({
    workerId: 'me',
    leases: table,
    registry,
    observer,
    heldIds: new Set(),
    endedLocally: new Set(),
    maxLeasesForWorker: 100,
    isClaimStale: () => false,
    random: () => 0.5,
    ...overrides,
  });
  return {
    registry,
    observer,
    table,
    input,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const owned = (id: string, owner: string, extra: Partial<ShardStatus> = {}): ShardStatus =>
  createShardStatus(id, { assignedTo: owner, leaseToken: `t-${owner}`, leaseCounter: 3, ...extra });

describe('fair share and availability', () => {
  test('a cold table: every shard is new and the lone worker targets all of them', () => {
    const { input } = setup(['s0', 's1', 's2', 's3']);
    const a = assessLeases(input());
    expect(a.leasable).toEqual(['s0', 's1', 's2', 's3']);
    expect(a.target).toBe(4);
    expect(a.workers).toEqual(new Set(['me']));
    expect(a.available.map((x) => x.kind)).toEqual(['new', 'new', 'new', 'new']);
  });

  test('target = ceil(leasable / live workers incl. self), capped by maxLeasesForWorker', () => {
    const leases = [owned('s0', 'a'), owned('s1', 'a'), owned('s2', 'b'), createShardStatus('s3', { leaseCounter: 4 })];
    const { input } = setup(['s0', 's1', 's2', 's3', 's4'], leases);
    const a = assessLeases(input());
    expect(a.workers).toEqual(new Set(['a', 'b', 'me']));
    expect(a.target).toBe(2); // ceil(5 / 3)
    expect(a.available.map((x) => [x.shardId, x.kind]).sort()).toEqual([
      ['s3', 'unowned'],
      ['s4', 'new'],
    ]);
    expect([...a.loadByWorker.entries()].map(([w, l]) => [w, l.length])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(assessLeases(input({ maxLeasesForWorker: 1 })).target).toBe(1);
  });

  test('a live lease of another worker becomes available only after the failover time on the observer clock', () => {
    const { input, advance, observer, table } = setup(['s0'], [owned('s0', 'a')]);
    expect(assessLeases(input()).available).toEqual([]);
    expect(assessLeases(input()).nextExpiryMillis).toBe(F);
    advance(F);
    expect(assessLeases(input()).available).toEqual([]);
    advance(1);
    expect(assessLeases(input()).available.map((x) => x.kind)).toEqual(['expired']);
    // A renewal (counter moved) starts the observation again.
    table.set('s0', owned('s0', 'a', { leaseCounter: 4 }));
    observer.observe(table.values());
    expect(assessLeases(input()).available).toEqual([]);
    expect(assessLeases(input()).workers).toEqual(new Set(['a', 'me']));
  });

  test('expired owners do not count as workers', () => {
    const { input, advance } = setup(['s0', 's1'], [owned('s0', 'dead'), owned('s1', 'dead')]);
    advance(F + 1);
    const a = assessLeases(input());
    expect(a.workers).toEqual(new Set(['me']));
    expect(a.target).toBe(2);
  });

  test('a lease owned by this worker id without a handle (a former incarnation) waits for expiry too', () => {
    const { input, advance } = setup(['s0'], [owned('s0', 'me')]);
    expect(assessLeases(input()).available).toEqual([]);
    advance(F + 1);
    expect(assessLeases(input()).available.map((x) => x.kind)).toEqual(['expired']);
  });

  test('held shards, SHARD_END leases and shards ended locally are never offered', () => {
    const leases = [owned('s0', 'me'), createShardStatus('s1', { checkpoint: SHARD_END, leaseCounter: 2 })];
    const { input } = setup(['s0', 's1', 's2', 's3'], leases);
    const a = assessLeases(input({ heldIds: new Set(['s0']), endedLocally: new Set(['s2']) }));
    expect(a.leasable).toEqual(['s0', 's3']);
    expect(a.available.map((x) => x.shardId)).toEqual(['s3']);
  });

  test('claims: mine first, another worker’s claim is respected until it is stale', () => {
    const leases = [
      createShardStatus('s0', { leaseCounter: 5 }),
      createShardStatus('s1', { leaseCounter: 5, claimRequest: 'me' }),
      createShardStatus('s2', { leaseCounter: 5, claimRequest: 'other' }),
    ];
    const { input, advance } = setup(['s0', 's1', 's2', 's3'], leases);
    advance(F + 1);
    const fresh = assessLeases(input());
    expect(fresh.available[0]).toMatchObject({ shardId: 's1', kind: 'claimedForMe' });
    expect(
      fresh.available
        .slice(1)
        .map((x) => `${x.shardId}:${x.kind}`)
        .sort(),
    ).toEqual(['s0:unowned', 's3:new']);
    expect(fresh.available.map((x) => x.shardId)).not.toContain('s2');
    const stale = assessLeases(input({ isClaimStale: (l) => l.id === 's2' }));
    expect(stale.available.map((x) => x.shardId)).toContain('s2');
  });

  test('expired leases come after new and unowned ones', () => {
    const leases = [owned('s0', 'dead'), createShardStatus('s1', { leaseCounter: 1 })];
    const { input, advance } = setup(['s0', 's1', 's2'], leases);
    advance(F + 1);
    const kinds = assessLeases(input()).available.map((x) => x.kind);
    expect(kinds.slice(0, 2).sort()).toEqual(['new', 'unowned']);
    expect(assessLeases(input()).available.at(-1)).toMatchObject({ shardId: 's0', kind: 'expired' });
  });
});

describe('resharding: children wait for every parent', () => {
  const split = [
    { shardId: 'p', parentShardIds: [], endingSequenceNumber: '99' },
    { shardId: 'c1', parentShardIds: ['p'] },
    { shardId: 'c2', parentShardIds: ['p'] },
  ];

  test('split: children become leasable once the parent is at SHARD_END', () => {
    const { input, table } = setup(split, [createShardStatus('p', { checkpoint: '42', leaseCounter: 2 })]);
    expect(assessLeases(input()).leasable).toEqual(['p']);
    table.set('p', createShardStatus('p', { checkpoint: SHARD_END, leaseCounter: 3 }));
    expect(assessLeases(input()).leasable).toEqual(['c1', 'c2']);
  });

  test('split: a parent this worker saw end unblocks the children before the next table read', () => {
    const { input } = setup(split, [owned('p', 'me', { checkpoint: '42' })]);
    expect(assessLeases(input({ endedLocally: new Set(['p']) })).leasable).toEqual(['c1', 'c2']);
  });

  test('merge: the child waits for BOTH parents', () => {
    const merge = [
      { shardId: 'p1', parentShardIds: [], endingSequenceNumber: '9' },
      { shardId: 'p2', parentShardIds: [], endingSequenceNumber: '9' },
      { shardId: 'm', parentShardIds: ['p1', 'p2'] },
    ];
    const { input, table } = setup(merge, [
      createShardStatus('p1', { checkpoint: SHARD_END, leaseCounter: 2 }),
      owned('p2', 'a', { checkpoint: '5' }),
    ]);
    expect(assessLeases(input()).leasable).toEqual(['p2']);
    table.set('p2', createShardStatus('p2', { checkpoint: SHARD_END, assignedTo: 'a', leaseCounter: 5 }));
    expect(assessLeases(input()).leasable).toEqual(['m']);
  });

  test('a parent without a lease that is still in the stream blocks; one gone from the stream does not', () => {
    const { input, registry, table } = setup(split);
    expect(assessLeases(input()).leasable).toEqual(['p']);
    // The parent was trimmed (retention): gone from ListShards; its lease row (if any) cannot be finished any more.
    registry.applyListing([
      { shardId: 'c1', parentShardIds: ['p'] },
      { shardId: 'c2', parentShardIds: ['p'] },
    ]);
    expect(assessLeases(input()).leasable).toEqual(['c1', 'c2']);
    table.set('p', createShardStatus('p', { checkpoint: '7', leaseCounter: 1 }));
    expect(unfinishedParents('c1', { registry, leases: table, endedLocally: new Set() })).toEqual([]);
  });

  test('parents recorded only on the child’s lease row count too', () => {
    const { input, table } = setup(['p', 'c'], [createShardStatus('c', { parentShardIds: ['p'], leaseCounter: 0 })]);
    expect(assessLeases(input()).leasable).toEqual(['p']);
    table.set('p', createShardStatus('p', { checkpoint: SHARD_END, leaseCounter: 1 }));
    expect(assessLeases(input()).leasable).toEqual(['c']);
  });
});

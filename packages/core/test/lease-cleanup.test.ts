/**
 * Lease cleanup at shard sync: leases of shards that are gone from the stream (trimmed), at SHARD_END, whose children
 * all have leases, are removed with removeLeaseInfo; nothing else ever is. In-memory lease store, a fake ListShards
 * (an object with `send`) for the rule and ShardSync, and a worker on kinesalite for the wiring.
 */
import type { KinesisClient, ListShardsCommandOutput, Shard } from '@aws-sdk/client-kinesis';
import { createShardStatus, SHARD_END, type ShardStatus } from '../src/checkpoint/shard-status';
import { KinesisError, LeaseStoreUnavailableError } from '../src/errors';
import { assessLeases } from '../src/leases/lease-assessment';
import { LeaseObserver } from '../src/leases/lease-observer';
import { findRemovableLeases } from '../src/shards/lease-cleanup';
import { ShardRegistry, type ShardInfo } from '../src/shards/shard-registry';
import { ShardSync } from '../src/shards/shard-sync';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../src/testing';
import { RecordingLogger } from './helpers/consumer-recorders';
import { DeliveryLedger, fakeConsumerFactory } from './helpers/worker-fake-consumer';
import {
  createTestStream,
  EventLog,
  makeWorker,
  startKinesaliteFixture,
  waitFor,
  workerConfig,
  type KinesaliteFixture,
  type TestWorker,
} from './helpers/worker-harness';

const shard = (shardId: string, parentShardIds: string[] = []): ShardInfo => ({ shardId, parentShardIds });
const ended = (id: string, extra: Partial<ShardStatus> = {}): ShardStatus =>
  createShardStatus(id, { checkpoint: SHARD_END, leaseCounter: 4, ...extra });
const child = (id: string, parents: string[], owner = 'w1'): ShardStatus =>
  createShardStatus(id, { parentShardIds: parents, assignedTo: owner, leaseToken: 't', leaseCounter: 2, checkpoint: '100' });

function removable(listing: ShardInfo[], leases: ShardStatus[], registry = new ShardRegistry()): string[] {
  registry.applyListing(listing);
  return findRemovableLeases({ leases: new Map(leases.map((l) => [l.id, l])), listing, registry });
}

describe('the cleanup rule', () => {
  test('a trimmed split parent at SHARD_END whose two children have leases is removed', () => {
    const listing = [shard('c1', ['p']), shard('c2', ['p'])];
    expect(removable(listing, [ended('p'), child('c1', ['p']), child('c2', ['p'])])).toEqual(['p']);
  });

  test('kept while one child has no lease yet (lineage not yet in the table)', () => {
    const listing = [shard('c1', ['p']), shard('c2', ['p'])];
    expect(removable(listing, [ended('p'), child('c1', ['p'])])).toEqual([]);
  });

  test('kept while the shard is still listed, even at SHARD_END with leased children', () => {
    const listing = [shard('p'), shard('c1', ['p']), shard('c2', ['p'])];
    expect(removable(listing, [ended('p'), child('c1', ['p']), child('c2', ['p'])])).toEqual([]);
  });

  test('never removes a lease that is not at SHARD_END, whatever ListShards says', () => {
    const listing = [shard('c1', ['p']), shard('other')];
    const notEnded = [
      createShardStatus('p', { checkpoint: '49590338271490256608559692538361571095921575989136588898', leaseCounter: 3 }),
      child('c1', ['p']),
      createShardStatus('gone-unowned-no-checkpoint', { leaseCounter: 1 }),
      createShardStatus('gone-owned', { assignedTo: 'w2', leaseToken: 'x', leaseCounter: 9, checkpoint: '7' }),
    ];
    expect(removable(listing, notEnded)).toEqual([]);
  });

  test('kept when no child is known (nothing in the listing, ChildShards or the lease rows names it as a parent)', () => {
    expect(removable([shard('other')], [ended('orphan'), child('other', [])])).toEqual([]);
  });

  test('an empty ListShards answer never removes anything', () => {
    const leases = [ended('p'), child('c1', ['p'])];
    const registry = new ShardRegistry();
    expect(findRemovableLeases({ leases: new Map(leases.map((l) => [l.id, l])), listing: [], registry })).toEqual([]);
  });

  test('a merge: both trimmed parents are removed once the child has a lease; lineage from the child’s lease row', () => {
    // The child's listing entry names no parent here: its lease row (parentShardIds) is enough.
    const listing = [shard('m')];
    expect(removable(listing, [ended('p1'), ended('p2'), child('m', ['p1', 'p2'])])).toEqual(['p1', 'p2']);
  });

  test('a chain trimmed at once: grandparent and parent removed in one pass when every child has a lease', () => {
    const listing = [shard('c1', ['p']), shard('c2', ['p'])];
    const leases = [ended('g'), ended('p', { parentShardIds: ['g'], parentShardId: 'g' }), child('c1', ['p']), child('c2', ['p'])];
    expect(removable(listing, leases)).toEqual(['g', 'p']);
  });

  test('a shard known from ChildShards but not yet listed is never removed', () => {
    const registry = new ShardRegistry();
    registry.addChildren([{ shardId: 'x', parentShards: ['y'] }]);
    const listing = [shard('c1', ['x'])];
    expect(removable(listing, [ended('x'), child('c1', ['x'])], registry)).toEqual([]);
  });
});

describe('after a cleanup', () => {
  test('a worker whose shard list still shows the removed parent neither leases it nor waits for it', () => {
    // Another worker removed p's lease; this worker's last ListShards (older) still lists p.
    let now = 0;
    const registry = new ShardRegistry();
    registry.applyListing([{ ...shard('p'), endingSequenceNumber: '99' }, shard('c1', ['p']), shard('c2', ['p'])]);
    const leases = [child('c1', ['p'], 'dead'), child('c2', ['p'], 'dead')];
    const observer = new LeaseObserver({ failoverTimeMillis: 100, clock: () => now });
    observer.observe(leases);
    now = 1_000; // the children's owner died: their leases are expired
    const assessment = assessLeases({
      workerId: 'me',
      leases: new Map(leases.map((l) => [l.id, l])),
      registry,
      observer,
      heldIds: new Set(),
      endedLocally: new Set(),
      maxLeasesForWorker: 10,
      isClaimStale: () => false,
      random: () => 0.5,
    });
    expect(assessment.leasable).toEqual(['c1', 'c2']);
    expect(assessment.available.map((a) => [a.shardId, a.kind]).sort()).toEqual([
      ['c1', 'expired'],
      ['c2', 'expired'],
    ]);
  });

  test('a closed shard without a lease row stays leasable (and blocks its children) while a child has no lease row', () => {
    const registry = new ShardRegistry();
    registry.applyListing([{ ...shard('p'), endingSequenceNumber: '99' }, shard('c1', ['p']), shard('c2', ['p'])]);
    const leases = [child('c1', ['p'], 'w2')];
    const observer = new LeaseObserver({ failoverTimeMillis: 100, clock: () => 0 });
    observer.observe(leases);
    const assessment = assessLeases({
      workerId: 'me',
      leases: new Map(leases.map((l) => [l.id, l])),
      registry,
      observer,
      heldIds: new Set(),
      endedLocally: new Set(),
      maxLeasesForWorker: 10,
      isClaimStale: () => false,
      random: () => 0.5,
    });
    expect(assessment.leasable).toEqual(['p']);
  });
});

/** A KinesisClient stand-in answering ListShards with `shards()` (or throwing `fail()`). */
function fakeKinesis(shards: () => ShardInfo[], fail?: () => Error | undefined): KinesisClient & { calls: number } {
  const client = {
    calls: 0,
    async send(): Promise<ListShardsCommandOutput> {
      client.calls += 1;
      const error = fail?.();
      if (error) throw error;
      const out: Shard[] = shards().map((s) => ({
        ShardId: s.shardId,
        ...(s.parentShardIds[0] ? { ParentShardId: s.parentShardIds[0] } : {}),
        ...(s.parentShardIds[1] ? { AdjacentParentShardId: s.parentShardIds[1] } : {}),
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' },
        SequenceNumberRange: { StartingSequenceNumber: '1' },
      }));
      return { Shards: out, $metadata: {} };
    },
  };
  return client as unknown as KinesisClient & { calls: number };
}

describe('ShardSync with lease cleanup (in-memory store, fake ListShards)', () => {
  const CHILDREN = [shard('c1', ['p']), shard('c2', ['p'])];

  function seeded(): InMemoryLeaseTable {
    const table = new InMemoryLeaseTable();
    for (const l of [
      ended('p'),
      child('c1', ['p']),
      child('c2', ['p']),
      ended('orphan'),
      createShardStatus('gone', { checkpoint: '5', leaseCounter: 2 }),
    ]) {
      table.put(l);
    }
    return table;
  }

  function sync(table: InMemoryLeaseTable, listing: () => ShardInfo[], options: { fail?: () => Error | undefined; errors?: unknown[] } = {}) {
    const logger = new RecordingLogger();
    const shardSync = new ShardSync({
      kinesis: fakeKinesis(listing, options.fail),
      streamName: 's',
      registry: new ShardRegistry(),
      logger,
      checkpointer: new InMemoryCheckpointer(table, { workerId: 'w1' }),
      onCleanupError: (error) => options.errors?.push(error),
    });
    return { shardSync, logger };
  }

  test('removes exactly the finished, trimmed lease with leased children; twice from two workers is harmless', async () => {
    const table = seeded();
    const errors: unknown[] = [];
    const one = sync(table, () => CHILDREN, { errors });
    const two = sync(table, () => CHILDREN, { errors });
    await one.shardSync.sync(undefined, { cleanUpLeases: true });
    expect(table.list().map((l) => l.id)).toEqual(['c1', 'c2', 'gone', 'orphan']);
    expect(one.logger.at('info').some((l) => l.message.includes('removed the leases') && String(l.fields['removed']) === 'p')).toBe(true);
    // The second worker decided on a table read before the removal? Simulate: p is still there for it.
    table.put(ended('p'));
    await Promise.all([one.shardSync.sync(undefined, { cleanUpLeases: true }), two.shardSync.sync(undefined, { cleanUpLeases: true })]);
    expect(table.list().map((l) => l.id)).toEqual(['c1', 'c2', 'gone', 'orphan']);
    expect(errors).toEqual([]);
  });

  test('a lease removed and re-created after the table read is kept (the store refuses), and that is no error', async () => {
    const table = seeded();
    const errors: unknown[] = [];
    const logger = new RecordingLogger();
    const recreated = createShardStatus('p', { assignedTo: 'w9', leaseToken: 'new-tenure', leaseCounter: 1 });
    // Another worker removes p and a lease for p is created again right after this worker read the table.
    class ReadThenRecreate extends InMemoryCheckpointer {
      override async listLeases(): Promise<ShardStatus[]> {
        const rows = await super.listLeases();
        table.put(recreated);
        return rows;
      }
    }
    const shardSync = new ShardSync({
      kinesis: fakeKinesis(() => CHILDREN),
      streamName: 's',
      registry: new ShardRegistry(),
      logger,
      checkpointer: new ReadThenRecreate(table, { workerId: 'w1' }),
      onCleanupError: (error) => errors.push(error),
    });
    await shardSync.sync(undefined, { cleanUpLeases: true });
    expect(table.callCount('removeLeaseInfo')).toBe(1);
    expect(table.get('p')).toMatchObject({ assignedTo: 'w9', leaseToken: 'new-tenure', checkpoint: undefined });
    expect(errors).toEqual([]);
    expect(logger.at('warn')).toEqual([]);
    expect(logger.at('info').some((l) => l.message.includes('no longer finished') && l.fields['shardId'] === 'p')).toBe(true);
  });

  test('a plain sync (start-up) does not clean up', async () => {
    const table = seeded();
    await sync(table, () => CHILDREN).shardSync.sync();
    expect(table.get('p')).toBeDefined();
    expect(table.callCount('listLeases')).toBe(0);
  });

  test('a failed ListShards throws and removes nothing; an empty answer removes nothing', async () => {
    const table = seeded();
    const failing = sync(table, () => CHILDREN, { fail: () => Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }) });
    await expect(failing.shardSync.sync(undefined, { cleanUpLeases: true })).rejects.toBeInstanceOf(KinesisError);
    const empty = sync(table, () => []);
    await empty.shardSync.sync(undefined, { cleanUpLeases: true });
    expect(table.size).toBe(5);
    expect(table.callCount('removeLeaseInfo')).toBe(0);
    expect(empty.logger.at('warn').map((l) => l.message)).toContain('ListShards returned no shard: lease cleanup skipped');
  });

  test('store failures are reported, never thrown; the lease is removed at the next sync', async () => {
    const table = seeded();
    const errors: unknown[] = [];
    const { shardSync } = sync(table, () => CHILDREN, { errors });
    table.failNext('listLeases', new LeaseStoreUnavailableError('down'));
    await expect(shardSync.sync(undefined, { cleanUpLeases: true })).resolves.toEqual(['c1', 'c2']);
    table.failNext('removeLeaseInfo', new LeaseStoreUnavailableError('down'));
    await shardSync.sync(undefined, { cleanUpLeases: true });
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => e instanceof LeaseStoreUnavailableError)).toBe(true);
    expect(table.get('p')).toBeDefined();
    await shardSync.sync(undefined, { cleanUpLeases: true });
    expect(table.get('p')).toBeUndefined();
  });
});

describe('worker: the periodic shard sync cleans up (kinesalite)', () => {
  let fx: KinesaliteFixture;
  const workers: TestWorker[] = [];
  beforeAll(async () => {
    fx = await startKinesaliteFixture();
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.worker.shutdown();
  });
  afterAll(async () => {
    await fx.stop();
  });

  test('removes the trimmed parent of a leased shard, keeps unfinished and orphan leases', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
    const table = new InMemoryLeaseTable();
    const gone = 'shardId-000000000090';
    // Shard 0 is the child of a shard trimmed long ago (its lease row names the parent).
    table.put(ended(gone));
    table.put(createShardStatus('shardId-000000000000', { parentShardIds: [gone], leaseCounter: 3, checkpoint: '0' }));
    table.put(createShardStatus('shardId-000000000091', { checkpoint: '49590338271490256608559692538361571095921575989136588898', leaseCounter: 2 }));
    table.put(ended('shardId-000000000092'));
    const events = new EventLog();
    const w = makeWorker(table, fx.kinesis, workerConfig(stream, 'w1', { shardSync: 200 }), {
      shardConsumerFactory: fakeConsumerFactory({ ledger: new DeliveryLedger() }),
      events,
    });
    workers.push(w);
    await w.worker.start();
    expect(w.worker.heldShards()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(table.get(gone)).toBeDefined(); // start-up sync does not clean up
    await waitFor(() => table.get(gone) === undefined, 'the trimmed parent’s lease removed', 3_000);
    expect(table.list().map((l) => l.id)).toEqual(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000091', 'shardId-000000000092']);
    expect(events.of('error', 'w1')).toEqual([]);
    expect(w.worker.heldShards()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
  });
});

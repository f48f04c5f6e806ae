/**
 * Several workers in one process on one in-memory lease table (fake shard consumers, kinesalite for ListShards):
 * exclusivity, giving shards up when the store stops answering (ZOMBIE before anyone else may take them), graceful
 * hand-over, and failover after a worker dies.
 */
import { ShutdownReason } from '../src/processor/shutdown-reason';
import type { ShardConsumerFactory } from '../src/consumers/shard-consumer';
import { DeliveryLedger, fakeConsumerFactory } from './helpers/worker-fake-consumer';
import {
  createTestStream,
  delay,
  EventLog,
  FAST,
  InMemoryLeaseTable,
  makeWorker,
  waitFor,
  workerConfig,
  type TestWorker,
} from './helpers/worker-harness';
import { useWorkerSuite } from './helpers/worker-suite';

const { fx, workers } = useWorkerSuite();

/** No gap in any shard's delivered sequence (a record may repeat after a hand-over, never be skipped). */
function expectNoGaps(ledger: DeliveryLedger, shardIds: string[]): void {
  for (const shardId of shardIds) {
    const seqs = ledger.seqs(shardId);
    expect(seqs[0]).toBe(1);
    for (let i = 1; i < seqs.length; i++) {
      const step = seqs[i]! - seqs[i - 1]!;
      if (step > 1) throw new Error(`shard ${shardId}: gap after ${seqs[i - 1]} (next ${seqs[i]})`);
    }
  }
}

function duplicates(ledger: DeliveryLedger, shardId: string): number {
  const seqs = ledger.seqs(shardId);
  return seqs.length - new Set(seqs).size;
}

function start(
  stream: string,
  table: InMemoryLeaseTable,
  id: string,
  consumers: ShardConsumerFactory,
  events?: EventLog,
  overrides = {},
): TestWorker {
  const w = makeWorker(table, fx.kinesis, workerConfig(stream, id, overrides), {
    shardConsumerFactory: consumers,
    ...(events ? { events } : {}),
  });
  workers.push(w);
  return w;
}

const SHARDS = ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003'];

describe('store stops answering', () => {
  for (const fault of ['hang', 'unavailable'] as const) {
    test(`(${fault}) the worker gives its shards up (ZOMBIE) before another worker takes them`, async () => {
      const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
      const table = new InMemoryLeaseTable();
      const ledger = new DeliveryLedger();
      const events = new EventLog();
      const a = start(stream, table, 'a', fakeConsumerFactory({ ledger }), events);
      await a.worker.start();
      const b = start(stream, table, 'b', fakeConsumerFactory({ ledger }), events);
      await b.worker.start();
      await waitFor(() => ledger.byWorker('a').length >= 8, 'a delivering');

      const faultAt = performance.now();
      a.store.fault = fault;
      await waitFor(() => b.worker.heldShards().length === 4, 'b holding every shard', 5_000);

      const aLost = events.of('leaseLost', 'a');
      expect(aLost.map((e) => e.reason)).toEqual(['expired', 'expired', 'expired', 'expired']);
      for (const shardId of SHARDS) {
        const lost = aLost.find((e) => e.shardId === shardId)!;
        const acquired = events.of('leaseAcquired', 'b').find((e) => e.shardId === shardId)!;
        // a stopped before b could take the shard, and within the failover time of its last renewal.
        expect(lost.at).toBeLessThan(acquired.at);
        expect(lost.at - faultAt).toBeLessThan(FAST.failoverTimeMillis);
        const bRun = ledger.runs.find((r) => r.workerId === 'b' && r.shardId === shardId)!;
        const aLast = ledger
          .forShard(shardId)
          .filter((d) => d.workerId === 'a')
          .at(-1)!;
        expect(aLast.end).toBeLessThan(bRun.startedAt);
        expect(aLast.start).toBeLessThanOrEqual(lost.at); // no delivery began after the lease was given up
        if (fault === 'unavailable') {
          // The consumer saw the lost signal and shut its processor down (with a hung store it stays stuck in its
          // checkpoint call instead - delivering nothing - until the request fails).
          const aRun = ledger.runs.find((r) => r.workerId === 'a' && r.shardId === shardId)!;
          expect(aRun.reason).toBe(ShutdownReason.ZOMBIE);
          expect(aRun.endedAt!).toBeLessThan(bRun.startedAt);
        }
        // Taken within failover time + one refresh period (+ scheduling slack) of the fault.
        expect(acquired.at - faultAt).toBeLessThan(FAST.failoverTimeMillis + FAST.leaseRefreshPeriodMillis + 300);
      }
      expect(ledger.overlaps()).toEqual([]);
      await waitFor(() => SHARDS.every((s) => ledger.forShard(s).some((d) => d.workerId === 'b')), 'b delivering');
      expectNoGaps(ledger, SHARDS);
    });
  }
});

describe('hand-over', () => {
  test('graceful shutdown releases the leases and another worker takes them at once, without duplicates', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
    const table = new InMemoryLeaseTable();
    const ledger = new DeliveryLedger();
    const events = new EventLog();
    const a = start(stream, table, 'a', fakeConsumerFactory({ ledger }), events);
    await a.worker.start();
    const b = start(stream, table, 'b', fakeConsumerFactory({ ledger }), events);
    await b.worker.start();
    await waitFor(() => ledger.byWorker('a').length >= 20, 'a delivering');

    await a.worker.shutdown();
    const releasedAt = performance.now();
    expect(events.of('leaseLost', 'a').map((e) => e.reason)).toEqual(['released', 'released', 'released', 'released']);
    await waitFor(() => b.worker.heldShards().length === 4, 'b holding every shard', 3_000);
    const takenAt = Math.max(...events.of('leaseAcquired', 'b').map((e) => e.at));
    // "At once": on b's next take pass, far sooner than the failover time.
    expect(takenAt - releasedAt).toBeLessThan(FAST.leaseRefreshPeriodMillis + 200);
    await waitFor(() => SHARDS.every((s) => ledger.forShard(s).some((d) => d.workerId === 'b')), 'b delivering');
    for (const shardId of SHARDS) expect(duplicates(ledger, shardId)).toBe(0);
    expectNoGaps(ledger, SHARDS);
    expect(ledger.overlappingRuns()).toEqual([]);
  });

  test('three workers coming and going: one owner per shard at any time, every record delivered', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
    const table = new InMemoryLeaseTable();
    const ledger = new DeliveryLedger();
    const a = start(stream, table, 'a', fakeConsumerFactory({ ledger }));
    const b = start(stream, table, 'b', fakeConsumerFactory({ ledger }));
    const c = start(stream, table, 'c', fakeConsumerFactory({ ledger }));
    await Promise.all([a.worker.start(), b.worker.start(), c.worker.start()]);
    await waitFor(() => ledger.deliveries.length >= 40, 'deliveries');
    // Three workers started together balance by hand-offs: the 40th delivery can come while a lease is between its
    // releasing owner and its claimer, so wait (bounded) for every shard to be held again.
    const held = (): number => [a, b, c].reduce((sum, w) => sum + w.worker.heldShards().length, 0);
    await waitFor(() => held() === 4, 'every shard held', 10_000);
    expect(held()).toBe(4);

    // The worker with the most leases leaves gracefully, then another one's store hangs.
    const [first, second] = [a, b, c].sort((x, y) => y.worker.heldShards().length - x.worker.heldShards().length);
    await first!.worker.shutdown();
    await delay(200);
    second!.store.fault = 'hang';
    const survivor = [a, b, c].find((w) => w !== first && w !== second)!;
    await waitFor(() => survivor.worker.heldShards().length === 4, 'the survivor holding every shard', 5_000);
    await waitFor(() => SHARDS.every((s) => ledger.forShard(s).at(-1)?.workerId === survivor.config.workerId), 'survivor delivering');

    // Deliveries never overlap. (Consumer runs of the hung worker may: they are stuck in a checkpoint call that never
    // returns, delivering nothing.)
    expect(ledger.overlaps()).toEqual([]);
    expectNoGaps(ledger, SHARDS);
  });
});

describe('failover after a worker dies', () => {
  test('a dead worker’s leases are taken within failover + one refresh period and resume after the last checkpoint', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
    const table = new InMemoryLeaseTable();
    const ledger = new DeliveryLedger();
    const events = new EventLog();
    let killed = false;
    // A "killed" worker: its consumers stop dead (no shutdown call, no checkpoint), its store requests never return.
    const killable = fakeConsumerFactory({ ledger, killed: () => killed });
    const a = start(stream, table, 'a', killable, events, { grace: 200 });
    await a.worker.start();
    const b = start(stream, table, 'b', fakeConsumerFactory({ ledger }), events);
    await b.worker.start();
    await waitFor(() => ledger.byWorker('a').length >= 20, 'a delivering');

    const lastCheckpoints = new Map(table.list().map((l) => [l.id, Number(l.checkpoint)]));
    killed = true;
    a.store.fault = 'hang';
    const killedAt = performance.now();
    const deliveredByA = new Map(SHARDS.map((s) => [s, Math.max(...ledger.forShard(s).map((d) => d.seq))]));

    await waitFor(() => b.worker.heldShards().length === 4, 'b holding every shard', 5_000);
    for (const e of events.of('leaseAcquired', 'b')) {
      expect(e.at - killedAt).toBeLessThan(FAST.failoverTimeMillis + FAST.leaseRefreshPeriodMillis + 300);
      expect(e.at - killedAt).toBeGreaterThan(FAST.failoverTimeMillis - FAST.leaseRefreshPeriodMillis * 1.5);
    }
    await waitFor(() => SHARDS.every((s) => ledger.forShard(s).some((d) => d.workerId === 'b')), 'b delivering');
    for (const shardId of SHARDS) {
      const firstByB = ledger.forShard(shardId).find((d) => d.workerId === 'b')!;
      // b resumes right after the last checkpoint a wrote (at most the one uncheckpointed record again).
      expect(firstByB.seq).toBeGreaterThanOrEqual(lastCheckpoints.get(shardId)! + 1);
      expect(firstByB.seq).toBeLessThanOrEqual(deliveredByA.get(shardId)! + 1);
    }
    expectNoGaps(ledger, SHARDS);
  });
});

/**
 * Fleet coordination with real workers (kinesalite, fake shard consumers, one in-memory lease table): one leader, the
 * only worker that reads the whole lease table after start; a dead worker's leases reassigned within failover + one
 * refresh period; a dead or paused leader replaced; joining workers reach their share by hand-offs with no overlap.
 */
import { takeOrRenewLease } from '../src/checkpoint/lease-transitions';
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
import { createShardStatus } from '../src/checkpoint/shard-status';
import { InMemoryCheckpointer } from '../src/testing';
import { useWorkerSuite } from './helpers/worker-suite';

const { fx, workers } = useWorkerSuite();
const SLACK = 300;

function start(
  stream: string,
  table: InMemoryLeaseTable,
  id: string,
  ledger: DeliveryLedger,
  events: EventLog,
  timings: Parameters<typeof workerConfig>[2] = { stealing: 150 },
): TestWorker {
  const w = makeWorker(table, fx.kinesis, workerConfig(stream, id, timings), { shardConsumerFactory: fakeConsumerFactory({ ledger }), events });
  workers.push(w);
  return w;
}

async function leaderOf(table: InMemoryLeaseTable): Promise<string | undefined> {
  return (await new InMemoryCheckpointer(table, { workerId: 'observer' }).getCoordinatorLease())?.assignedTo;
}

/** Counts the calls of `method` on a worker's store (install before start: the worker keeps the methods it saw). */
function countCalls(w: TestWorker, method: 'listLeases' | 'listOwnedLeases'): () => number {
  let n = 0;
  const original = w.store[method].bind(w.store) as (...args: unknown[]) => Promise<unknown>;
  (w.store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
    n += 1;
    return original(...args);
  };
  return () => n;
}

const balanced = (ws: TestWorker[], each: number) => ws.every((w) => w.worker.heldShards().length === each);

test('joining workers reach their share by hand-offs; only the leader reads the whole table after start', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 6 });
  const table = new InMemoryLeaseTable();
  const ledger = new DeliveryLedger();
  const events = new EventLog();
  const a = start(stream, table, 'a', ledger, events);
  const b = start(stream, table, 'b', ledger, events);
  const c = start(stream, table, 'c', ledger, events);
  const reads = [a, b, c].map((w) => countCalls(w, 'listLeases'));
  const ownReads = [b, c].map((w) => countCalls(w, 'listOwnedLeases'));
  await a.worker.start();
  expect(a.worker.heldShards()).toHaveLength(6);
  expect(await leaderOf(table)).toBe('a');
  await b.worker.start();
  await c.worker.start();
  // Start-up reads the table once.
  expect(reads.map((n) => n() >= 1)).toEqual([true, true, true]);
  await waitFor(() => balanced([a, b, c], 2), '2/2/2', 10_000);

  // Steady state: the non-leaders read their own leases, never the whole table (reads do not grow with workers).
  const before = reads.map((n) => n());
  const ownBefore = ownReads.map((n) => n());
  await delay(10 * FAST.leaseRefreshPeriodMillis);
  expect(await leaderOf(table)).toBe('a');
  expect(reads.map((n, i) => n() - before[i]! > 0)).toEqual([true, false, false]);
  expect(ownReads.every((n, i) => n() - ownBefore[i]! > 0)).toBe(true);
  expect([b, c].map((_, i) => reads[i + 1]!())).toEqual([1, 1]); // their start pass, nothing more

  // Every move was a hand-off after the owner's last checkpoint: no record twice, no two consumers of one shard at once.
  expect(events.of('leaseLost', 'a').map((e) => e.reason)).toEqual(['handoff', 'handoff', 'handoff', 'handoff']);
  expect(ledger.overlaps()).toEqual([]);
  expect(ledger.overlappingRuns()).toEqual([]);
  for (const shardId of new Set(ledger.deliveries.map((d) => d.shardId))) {
    const seqs = ledger.seqs(shardId);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }
  expect(balanced([a, b, c], 2)).toBe(true);
});

test('a dead non-leader’s leases are reassigned within failover + one refresh period', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
  const table = new InMemoryLeaseTable();
  const ledger = new DeliveryLedger();
  const events = new EventLog();
  const a = start(stream, table, 'a', ledger, events);
  await a.worker.start();
  const b = start(stream, table, 'b', ledger, events);
  await b.worker.start();
  await waitFor(() => balanced([a, b], 2), '2/2', 10_000);
  const lost = b.worker.heldShards();

  b.store.fault = 'hang'; // b's store calls never answer: renewals and heartbeats stop reaching the store
  const deadAt = performance.now();
  await waitFor(() => a.worker.heldShards().length === 4, 'a holding every shard', 5_000);
  for (const shardId of lost) {
    const acquired = events.of('leaseAcquired', 'a').find((e) => e.shardId === shardId && e.at > deadAt)!;
    expect(acquired.at - deadAt).toBeLessThan(FAST.failoverTimeMillis + FAST.leaseRefreshPeriodMillis + SLACK);
  }
  expect(b.worker.heldShards()).toEqual([]); // b gave them up (validity ended) before a took them
  expect(ledger.overlaps()).toEqual([]);
});

test('a leader that stops answering is replaced within failover + one refresh period; it stops acting as leader', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
  const table = new InMemoryLeaseTable();
  const ledger = new DeliveryLedger();
  const events = new EventLog();
  const a = start(stream, table, 'a', ledger, events);
  await a.worker.start();
  const b = start(stream, table, 'b', ledger, events);
  await b.worker.start();
  await waitFor(() => balanced([a, b], 2), '2/2', 10_000);
  expect(await leaderOf(table)).toBe('a');
  const held = a.worker.heldShards();

  a.store.fault = 'hang'; // as if paused: nothing it sends reaches the store any more
  const pausedAt = performance.now();
  await waitFor(() => b.worker.heldShards().length === 4, 'b holding every shard', 5_000);
  const replacedAt = performance.now();
  expect(await leaderOf(table)).toBe('b');
  // The old leader's own leases were taken at once by the new leader: no second failover time to observe them.
  for (const shardId of held) {
    const acquired = events.of('leaseAcquired', 'b').find((e) => e.shardId === shardId && e.at > pausedAt)!;
    expect(acquired.at - pausedAt).toBeLessThan(FAST.failoverTimeMillis + FAST.leaseRefreshPeriodMillis + SLACK);
  }
  expect(replacedAt - pausedAt).toBeLessThan(FAST.failoverTimeMillis + FAST.leaseRefreshPeriodMillis + SLACK);
  expect(a.worker.heldShards()).toEqual([]);
  const lostAfterPause = events.of('leaseLost', 'a').filter((e) => e.at > pausedAt);
  expect(lostAfterPause.map((e) => e.reason)).toEqual(held.map(() => 'expired'));
  expect(ledger.overlaps()).toEqual([]);
});

test('a leader that shuts down hands the role over at once', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
  const table = new InMemoryLeaseTable();
  const ledger = new DeliveryLedger();
  const events = new EventLog();
  const a = start(stream, table, 'a', ledger, events);
  await a.worker.start();
  const b = start(stream, table, 'b', ledger, events);
  await b.worker.start();
  await waitFor(() => balanced([a, b], 1), '1/1', 10_000);
  const stoppedAt = performance.now();
  await a.worker.shutdown();
  await waitFor(() => b.worker.heldShards().length === 2, 'b holding both shards', 5_000);
  expect(await leaderOf(table)).toBe('b');
  // Released role and lease: taken without waiting for any failover time.
  expect(performance.now() - stoppedAt).toBeLessThan(FAST.failoverTimeMillis);
  expect(ledger.overlaps()).toEqual([]);
});

test('a worker whose leases expired gets none of them back while its heartbeat still looks alive', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
  const table = new InMemoryLeaseTable();
  const ledger = new DeliveryLedger();
  const events = new EventLog();
  // A worker that stopped renewing its two leases but keeps heartbeating (its membership timer runs on, or it gave the
  // shards up): a SIGKILLed worker looks like this to the leader for up to one renewal interval.
  const ghost = new InMemoryCheckpointer(table, { workerId: 'ghost', failoverTimeMillis: FAST.failoverTimeMillis });
  for (const id of ['shardId-000000000000', 'shardId-000000000001']) {
    await takeOrRenewLease(ghost, createShardStatus(id), 'ghost');
  }
  await ghost.heartbeat('ghost');
  const beat = setInterval(() => void ghost.heartbeat('ghost'), 50);
  try {
    const a = makeWorker(table, fx.kinesis, workerConfig(stream, 'a'), { shardConsumerFactory: fakeConsumerFactory({ ledger }), events });
    workers.push(a);
    const startedAt = performance.now();
    await a.worker.start();
    expect(a.worker.heldShards()).toEqual(['shardId-000000000002', 'shardId-000000000003']);
    expect(await leaderOf(table)).toBe('a');
    // The leader sees the ghost's leases expire one failover time after its first read; it takes them for itself
    // instead of assigning them back to the ghost (which would never renew them: another failover time, every time).
    await waitFor(() => a.worker.heldShards().length === 4, 'a holding every shard', 4 * FAST.failoverTimeMillis);
    expect(performance.now() - startedAt).toBeLessThan(FAST.failoverTimeMillis + FAST.leaseRefreshPeriodMillis + SLACK);
    const leases = await ghost.listLeases();
    expect(leases.map((l) => l.assignedTo)).toEqual(['a', 'a', 'a', 'a']);
  } finally {
    clearInterval(beat);
  }
});

test('a worker whose start-pass target went stale as the fleet grew reads its own leases every refresh period, not every 500 ms', async () => {
  // refresh 1,000 ms > the 500 ms of fast discovery, so the two rates differ
  const timings = { failover: 1_500, refresh: 1_000, stealing: 150 };
  const stream = await createTestStream(fx.kinesis, { shardCount: 6 });
  const table = new InMemoryLeaseTable();
  const ledger = new DeliveryLedger();
  const events = new EventLog();
  const make = (id: string): TestWorker => start(stream, table, id, ledger, events, timings);
  const a = make('a');
  const b = make('b');
  const c = make('c');
  const ownReads = countCalls(b, 'listOwnedLeases');
  await a.worker.start();
  await b.worker.start(); // its start pass: target 3 of 6
  await waitFor(() => balanced([a, b], 3), '3/3', 15_000);
  await c.worker.start();
  await waitFor(() => balanced([a, b, c], 2), '2/2/2', 15_000);
  // b now holds 2, below the 3 it learnt at start; past two failover times that no longer makes it read fast.
  await delay(2 * timings.failover + timings.failover);
  const before = ownReads();
  await delay(5_000);
  const reads = ownReads() - before;
  expect(balanced([a, b, c], 2)).toBe(true);
  // every 800-1,000 ms (jittered refresh): 5-7 reads; at the fast 400-500 ms it would be 10 or more
  expect(reads).toBeGreaterThanOrEqual(4);
  expect(reads).toBeLessThanOrEqual(8);
});

test('a worker that owns an expired lease but is alive (a restart under the same id) receives it again after a failover time', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
  const table = new InMemoryLeaseTable();
  const ledger = new DeliveryLedger();
  const events = new EventLog();
  // 'again' is a restarted process: its former incarnation's lease of shard 0 is never renewed (its token is not
  // this process's), its lease of shard 1 is renewed, and it heartbeats. With 'a' at its share (2 of 4), shard 0 has
  // no other receiver than 'again' itself.
  const again = new InMemoryCheckpointer(table, { workerId: 'again', failoverTimeMillis: FAST.failoverTimeMillis });
  const stale = createShardStatus('shardId-000000000000');
  await takeOrRenewLease(again, stale, 'again');
  const live = createShardStatus('shardId-000000000001');
  await takeOrRenewLease(again, live, 'again');
  await again.heartbeat('again');
  const beat = setInterval(() => {
    void again.heartbeat('again');
    void takeOrRenewLease(again, live, 'again').catch(() => undefined);
  }, 50);
  try {
    const a = makeWorker(table, fx.kinesis, workerConfig(stream, 'a'), { shardConsumerFactory: fakeConsumerFactory({ ledger }), events });
    workers.push(a);
    await a.worker.start();
    expect(a.worker.heldShards()).toEqual(['shardId-000000000002', 'shardId-000000000003']);
    // Not for the first failover time after it expired (its heartbeat might be a dead process's last ones), then the
    // leader assigns it to 'again' with a new token.
    let reassigned = false;
    const watch = setInterval(() => {
      void again.listLeases().then((rows) => {
        const row = rows.find((l) => l.id === stale.id);
        reassigned ||= row?.assignedTo === 'again' && row.leaseToken !== stale.leaseToken;
      });
    }, 50);
    try {
      await waitFor(() => reassigned, 'shard 0 assigned again with a new token', 6 * FAST.failoverTimeMillis);
    } finally {
      clearInterval(watch);
    }
  } finally {
    clearInterval(beat);
  }
});

test('a lease assigned to a worker while it leaves is released at its shutdown, not left for the leader to see expire', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
  const table = new InMemoryLeaseTable();
  const a = start(stream, table, 'a', new DeliveryLedger(), new EventLog());
  // A leader round that lands while 'a' leaves: when 'a' deletes its registry entry, a lease is taken on its behalf.
  const leader = new InMemoryCheckpointer(table, { workerId: 'leader' });
  const late = createShardStatus('shardId-000000000099');
  const removeWorker = a.store.removeWorker.bind(a.store);
  a.store.removeWorker = async (workerId: string) => {
    await takeOrRenewLease(leader, late, 'a');
    return removeWorker(workerId);
  };
  await a.worker.start();
  expect(a.worker.heldShards()).toHaveLength(2);
  await a.worker.shutdown();
  expect(late.assignedTo).toBe('a');
  const rows = await leader.listLeases();
  expect(rows.map((l) => [l.id, l.assignedTo]).sort(([x], [y]) => String(x).localeCompare(String(y)))).toEqual([
    ['shardId-000000000000', undefined],
    ['shardId-000000000001', undefined],
    ['shardId-000000000099', undefined],
  ]);
});

/**
 * Balancing (lease stealing, on by default) with fake shard consumers on one in-memory lease table: the leader asks
 * for hand-offs in parallel, the owner finishes its batch, checkpoints and transfers the lease straight to the
 * claimer, so nothing is duplicated and nobody else can take the lease in between.
 */
import { DeliveryLedger, fakeConsumerFactory } from './helpers/worker-fake-consumer';
import { createTestStream, EventLog, InMemoryLeaseTable, makeWorker, waitFor, workerConfig, type TestWorker } from './helpers/worker-harness';
import { useWorkerSuite } from './helpers/worker-suite';

const { fx, workers } = useWorkerSuite();

function stealingWorker(stream: string, table: InMemoryLeaseTable, id: string, ledger: DeliveryLedger, events: EventLog): TestWorker {
  const w = makeWorker(table, fx.kinesis, workerConfig(stream, id, { stealing: 150 }), {
    shardConsumerFactory: fakeConsumerFactory({ ledger }),
    events,
  });
  workers.push(w);
  return w;
}

/** Samples the table every few ms: the most claims by `claimer` that were outstanding at the same time. */
function watchClaims(table: InMemoryLeaseTable, claimer: string): { max: () => number; stop: () => void } {
  let max = 0;
  const timer = setInterval(() => {
    const outstanding = table.list().filter((l) => l.claimRequest === claimer && l.assignedTo !== claimer).length;
    max = Math.max(max, outstanding);
  }, 3);
  return { max: () => max, stop: () => clearInterval(timer) };
}

test('a joining worker reaches its fair share by hand-offs (claims in parallel), without duplicates', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
  const table = new InMemoryLeaseTable();
  const ledger = new DeliveryLedger();
  const events = new EventLog();
  const a = stealingWorker(stream, table, 'a', ledger, events);
  await a.worker.start();
  expect(a.worker.heldShards()).toHaveLength(4);
  await waitFor(() => ledger.deliveries.length >= 20, 'a delivering');

  const claims = watchClaims(table, 'b');
  const b = stealingWorker(stream, table, 'b', ledger, events);
  await b.worker.start();
  expect(b.worker.heldShards()).toEqual([]); // nothing available: b gets its share by hand-offs
  await waitFor(() => b.worker.heldShards().length === 2 && a.worker.heldShards().length === 2, '2/2 split', 8_000);
  claims.stop();

  // Both claims were placed in the same balancing round (not one per round as before).
  expect(claims.max()).toBe(2);
  // Every move was a direct transfer: the lease was never unowned on the way.
  expect(table.callCount('transferLease')).toBe(2);
  expect(table.callCount('removeLeaseOwner')).toBe(0);
  const handoffs = events.of('leaseLost', 'a');
  expect(handoffs.map((e) => e.reason)).toEqual(['handoff', 'handoff']);
  // b acquired exactly what a handed over, each after a let go.
  for (const h of handoffs) {
    const acquired = events.of('leaseAcquired', 'b').find((e) => e.shardId === h.shardId)!;
    expect(acquired.at).toBeGreaterThan(h.at);
  }
  const byB = new Set(events.of('leaseAcquired', 'b').map((e) => e.shardId));
  await waitFor(() => [...byB].every((s) => ledger.forShard(s).some((d) => d.workerId === 'b')), 'b delivering');
  // The owner checkpointed every record before letting go: no record of a stolen shard is delivered twice.
  for (const shardId of byB) {
    const seqs = ledger.seqs(shardId);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }
  expect(ledger.overlaps()).toEqual([]);
  expect(ledger.overlappingRuns()).toEqual([]);

  // Balanced: no more claims once both hold their share.
  const claimsBefore = table.list().filter((l) => l.claimRequest !== undefined).length;
  await new Promise((r) => setTimeout(r, 600));
  expect(table.list().filter((l) => l.claimRequest !== undefined).length).toBe(claimsBefore);
  expect(b.worker.heldShards()).toHaveLength(2);
});

test('withLeaseStealing(false): an idle worker leaves live leases alone (no hand-off)', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
  const table = new InMemoryLeaseTable();
  const ledger = new DeliveryLedger();
  const config = (id: string) => workerConfig(stream, id).withLeaseStealing(false);
  const a = makeWorker(table, fx.kinesis, config('a'), { shardConsumerFactory: fakeConsumerFactory({ ledger }) });
  const b = makeWorker(table, fx.kinesis, config('b'), { shardConsumerFactory: fakeConsumerFactory({ ledger }) });
  workers.push(a, b);
  await a.worker.start();
  await b.worker.start();
  await new Promise((r) => setTimeout(r, 800));
  expect(table.list().every((l) => l.claimRequest === undefined && l.assignedTo === 'a')).toBe(true);
  expect(table.callCount('claimShard')).toBe(0);
  expect(table.callCount('transferLease')).toBe(0);
});

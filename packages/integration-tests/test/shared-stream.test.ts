/**
 * Several workers in one process share a 6-shard stream while a producer writes, with each lease store: workers
 * join (the leader hands leases over to them), one leaves gracefully, another joins. Every record is delivered, in order per
 * shard, and no shard is ever processed by two workers at the same time (every processRecords call is logged with
 * its worker, shard, start and end).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { waitFor } from '@kcl/testbed';
import { createTestWorker, describeOverlaps, LEASE_STORE_NAMES, STEADY_TIMINGS, type TestWorker } from '../src';
import { useEndToEndSuite } from './helpers/e2e-suite';

const { bed, useLeaseStore } = useEndToEndSuite();

describe.each(LEASE_STORE_NAMES)('%s lease store', (storeName) => {
  const { store, cleanup, newTestStream } = useLeaseStore(storeName);

  test('workers join, leave and join again: every record in order, never two workers on one shard at once', async () => {
    const { streamName, namespace, log, events, producer } = await newTestStream(6);
    const worker = (workerId: string): TestWorker => {
      const w = createTestWorker({
        workerId,
        streamName,
        bed,
        store,
        namespace,
        log,
        events,
        config: { ...STEADY_TIMINGS, stealing: true },
        processor: { processMillis: 5 },
      });
      cleanup.add(() => w.worker.shutdown());
      return w;
    };
    const held = (...ws: TestWorker[]): number[] => ws.map((w) => w.worker.heldShards().length);

    producer.start(12, 40);
    const a = worker('a');
    await a.worker.start();
    expect(a.worker.heldShards()).toHaveLength(6);
    await waitFor(() => log.payloads().size >= 100, 'a delivering');

    // Two more workers: the leader asks a to hand 4 leases over (2 each) until 2/2/2.
    const b = worker('b');
    const c = worker('c');
    await Promise.all([b.worker.start(), c.worker.start()]);
    await waitFor(() => held(a, b, c).every((n) => n === 2), 'leases spread 2/2/2', 15_000);
    await delay(300);

    // a leaves gracefully: its leases are released and taken at once by b and c.
    await a.worker.shutdown();
    await waitFor(() => held(b, c).every((n) => n === 3), 'b and c holding 3 each', 5_000);
    await delay(300);

    // d joins and steals its share.
    const d = worker('d');
    await d.worker.start();
    await waitFor(() => held(b, c, d).every((n) => n === 2), 'leases spread 2/2/2 again', 15_000);
    await delay(300);
    await producer.stop();
    await waitFor(() => log.missing(producer.payloads()).length === 0, 'every record delivered', 15_000);

    expect(log.missing(producer.payloads())).toEqual([]);
    expect(log.orderViolations()).toEqual([]);
    expect(describeOverlaps(log.overlaps())).toEqual([]);
    // The overlap check means something: leases really moved between workers, on most shards.
    const workersByShard = log.workersByShard();
    expect(workersByShard.size).toBe(6);
    expect([...workersByShard.values()].filter((set) => set.size >= 2).length).toBeGreaterThanOrEqual(3);
    // Moves were hand-offs (balancing, graceful shutdown) after a checkpoint of every batch: nothing came twice.
    expect(log.duplicates()).toEqual([]);
    expect(
      events
        .of('leaseLost', { workerId: 'a' })
        .map((e) => e.reason)
        .sort(),
    ).toEqual([...Array(4).fill('handoff'), 'released', 'released'].sort());
    // The lease table agrees: every shard checkpointed at its last record, owned by b, c or d.
    await waitFor(
      async () => {
        const leases = await store.leases(namespace);
        return [...leases.values()].every((l) => l.checkpoint === producer.ofShard(l.id).at(-1)?.sequenceNumber);
      },
      'checkpoints at the last record of every shard',
      5_000,
    );
    const leases = await store.leases(namespace);
    expect(leases.size).toBe(6);
    for (const lease of leases.values()) expect(['b', 'c', 'd']).toContain(lease.assignedTo);
  });
});

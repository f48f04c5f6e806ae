/**
 * A lease store that stops answering one worker (each store): a loopback TCP proxy sits between that worker and the
 * store and black-holes its traffic (requests hang, nothing is closed). That worker must give its shards up (leaseLost
 * 'expired', processors shut down with ZOMBIE) before the other worker takes them, and must not deliver a single
 * batch of a shard once the other worker has started on it. Then the partition heals: everything the proxy held back
 * (renewals, checkpoints of the cut-off worker) reaches the store late, and must not change the new owner's leases;
 * and the cut-off worker works again (it takes the shards back when the other worker leaves).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ShutdownReason } from '@kcl/core';
import { startTcpProxy, waitFor } from '@kcl/testbed';
import { createTestWorker, describeOverlaps, LEASE_STORE_NAMES, TIMINGS } from '../src';
import { useEndToEndSuite } from './helpers/e2e-suite';

const { bed, useLeaseStore } = useEndToEndSuite();

describe.each(LEASE_STORE_NAMES)('%s lease store', (storeName) => {
  const { store, cleanup, newTestStream } = useLeaseStore(storeName);

  test('a worker cut off from the store stops its shards before another takes them; its late writes change nothing', async () => {
    const { streamName, namespace, log, events, producer } = await newTestStream(4);
    const proxy = await startTcpProxy({ target: store.address });

    const cut = createTestWorker({
      workerId: 'cut-off',
      streamName,
      bed,
      store,
      namespace,
      log,
      events,
      via: { host: proxy.host, port: proxy.port },
    });
    const other = createTestWorker({ workerId: 'other', streamName, bed, store, namespace, log, events });
    cleanup.add(() => other.worker.shutdown());
    cleanup.add(() => cut.worker.shutdown());
    cleanup.add(() => proxy.close()); // runs first: the cut-off worker's hung calls fail at once
    producer.start(8, 40);
    await cut.worker.start();
    expect(cut.worker.heldShards()).toHaveLength(4);
    await other.worker.start();
    expect(other.worker.heldShards()).toEqual([]);
    await waitFor(() => log.payloads().size >= 80, 'the cut-off worker delivering');
    expect(proxy.stats.bytesForwarded).toBeGreaterThan(0); // its store traffic really goes through the proxy

    const cutAt = performance.now();
    proxy.blackHole();
    await waitFor(() => other.worker.heldShards().length === 4, 'the other worker taking every shard', 10_000);
    expect(cut.worker.heldShards()).toEqual([]);
    const shards = other.worker.heldShards();
    await waitFor(() => shards.every((id) => log.firstStart(id, 'other') !== undefined), 'the other worker delivering on every shard');
    for (const shardId of shards) {
      const lost = events.of('leaseLost', { workerId: 'cut-off', shardId });
      const taken = events.of('leaseAcquired', { workerId: 'other', shardId });
      expect(lost.map((e) => e.reason)).toEqual(['expired']);
      expect(taken).toHaveLength(1);
      const lostAt = lost[0]?.at as number;
      const takenAt = taken[0]?.at as number;
      // Given up within its validity window (failover time minus the safety margin), before the other took it.
      expect(lostAt - cutAt).toBeLessThan(TIMINGS.failoverMillis);
      expect(lostAt).toBeLessThan(takenAt);
      // Its processor was shut down (ZOMBIE) before the other worker's first delivery, and it delivered nothing after.
      const zombie = log.shutdownsOf(shardId, 'cut-off').find((s) => s.reason === ShutdownReason.ZOMBIE);
      const otherFirst = log.firstStart(shardId, 'other');
      expect(zombie).toBeDefined();
      expect(otherFirst).toBeDefined();
      expect(zombie?.end).toBeLessThan(otherFirst as number);
      expect(log.lastEnd(shardId, 'cut-off')).toBeLessThan(otherFirst as number);
    }
    expect(describeOverlaps(log.overlaps())).toEqual([]);
    // It was checkpointing when cut off: those checkpoints hung until the lease was given up, then failed (LeaseLost)
    // so the processor returned and could be shut down.
    const hungCheckpoints = log.batches.filter((b) => b.workerId === 'cut-off' && b.start > cutAt && b.end - b.start > 300);
    expect(hungCheckpoints.length).toBeGreaterThanOrEqual(1);

    await delay(300);
    await producer.stop();
    await waitFor(() => log.missing(producer.payloads()).length === 0, 'every record delivered', 10_000);
    const lastOfShard = (id: string): string | undefined => producer.ofShard(id).at(-1)?.sequenceNumber;
    await waitFor(
      async () => [...(await store.leases(namespace)).values()].every((l) => l.checkpoint === lastOfShard(l.id)),
      'the other worker checkpointing the last record of every shard',
      5_000,
    );
    expect(log.orderViolations()).toEqual([]);
    // Delivered twice: only what the cut-off worker delivered but could no longer checkpoint.
    const uncheckpointed = new Set(log.batches.filter((b) => b.workerId === 'cut-off' && b.end > cutAt).flatMap((b) => b.records.map((r) => r.data)));
    expect(log.duplicates().filter((d) => !uncheckpointed.has(d))).toEqual([]);

    // The partition heals: the held-back requests of the cut-off worker (renewals with its old lease tokens, the
    // checkpoint it was writing when cut off) reach the store now. They must all fail: leases and checkpoints stay.
    expect(proxy.stats.bytesHeld).toBeGreaterThan(0);
    proxy.heal();
    await delay(1_000);
    const leases = await store.leases(namespace);
    for (const lease of leases.values()) {
      expect(lease.assignedTo).toBe('other');
      expect(lease.checkpoint).toBe(lastOfShard(lease.id));
    }
    expect(other.worker.heldShards()).toEqual(shards);
    expect(cut.worker.heldShards()).toEqual([]);

    // The cut-off worker recovered with the store: when the other worker leaves, it takes every shard back and
    // continues after the other's checkpoints.
    const before = log.batches.length;
    await other.worker.shutdown();
    await waitFor(() => cut.worker.heldShards().length === 4, 'the recovered worker taking every shard', 5_000);
    await producer.put(100);
    await waitFor(() => log.missing(producer.payloads()).length === 0, 'the new records delivered', 10_000);
    const recovered = log.batches.slice(before);
    expect(recovered.every((b) => b.workerId === 'cut-off')).toBe(true);
    const earlier = new Set(log.batches.slice(0, before).flatMap((b) => b.records.map((r) => r.data)));
    expect(recovered.flatMap((b) => b.records.map((r) => r.data)).filter((d) => earlier.has(d))).toEqual([]);
    expect(log.orderViolations()).toEqual([]);
    expect(describeOverlaps(log.overlaps())).toEqual([]);
  });
  test('shutdown() while the store does not answer: bounded, the processors are stopped and the leases expire', async () => {
    const { streamName, namespace, log, events, producer } = await newTestStream(3);
    const proxy = await startTcpProxy({ target: store.address });
    const graceMillis = 3_000;
    const cut = createTestWorker({
      workerId: 'cut-off',
      streamName,
      bed,
      store,
      namespace,
      log,
      events,
      via: { host: proxy.host, port: proxy.port },
      config: { shutdownGraceMillis: graceMillis },
    });
    cleanup.add(() => cut.worker.shutdown());
    cleanup.add(() => proxy.close());
    producer.start(6, 40);
    await cut.worker.start();
    await waitFor(() => log.payloads().size >= 50, 'the worker delivering');

    proxy.blackHole();
    const stopAt = performance.now();
    await cut.worker.shutdown();
    const tookMillis = performance.now() - stopAt;
    // Neither a checkpoint nor a release can reach the store: the worker waits for its leases' validity to run out
    // (it must not let its processors run past it), then at most one refresh period for its hung store calls, then
    // closes the store (Redis: a graceful close bounded at 1 s, then the socket is destroyed). It does not hang.
    expect(tookMillis).toBeLessThan(graceMillis + 1_000);
    expect(cut.worker.state).toBe('stopped');
    for (const shardId of ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']) {
      expect(log.shutdownsOf(shardId, 'cut-off')).toHaveLength(1);
      expect(events.of('leaseLost', { shardId }).map((e) => e.reason)).toEqual(['expired']);
    }
    expect(events.of('shutdown')).toHaveLength(1);

    // The leases were neither released nor renewed: another worker takes them after the failover time.
    await producer.stop();
    const other = createTestWorker({ workerId: 'other', streamName, bed, store, namespace, log, events });
    cleanup.add(() => other.worker.shutdown());
    const otherStart = performance.now();
    await other.worker.start();
    await waitFor(() => other.worker.heldShards().length === 3, 'the other worker taking the expired leases', 10_000);
    expect(Math.min(...events.of('leaseAcquired', { workerId: 'other' }).map((e) => e.at)) - otherStart).toBeGreaterThanOrEqual(
      TIMINGS.failoverMillis,
    );
    await waitFor(() => log.missing(producer.payloads()).length === 0, 'every record delivered', 10_000);
    expect(log.orderViolations()).toEqual([]);
  });
  test('the store stops answering everyone, then comes back: every worker gives its shards up, then they are shared again', async () => {
    const { streamName, namespace, log, events, producer } = await newTestStream(4);
    const proxies = await Promise.all([startTcpProxy({ target: store.address }), startTcpProxy({ target: store.address })]);
    const workers = proxies.map((proxy, i) =>
      createTestWorker({ workerId: `w${i + 1}`, streamName, bed, store, namespace, log, events, via: { host: proxy.host, port: proxy.port } }),
    );
    for (const w of workers) cleanup.add(() => w.worker.shutdown());
    for (const proxy of proxies) cleanup.add(() => proxy.close());
    producer.start(8, 40);
    for (const w of workers) await w.worker.start();
    const held = (): number => workers.reduce((n, w) => n + w.worker.heldShards().length, 0);
    expect(held()).toBe(4);
    await waitFor(() => log.payloads().size >= 50, 'records flowing');

    const outageAt = performance.now();
    for (const proxy of proxies) proxy.blackHole();
    await waitFor(() => held() === 0, 'every worker giving its shards up', 5_000);
    expect(events.of('leaseLost').map((e) => e.reason)).toEqual(['expired', 'expired', 'expired', 'expired']);
    const lastBatchStart = Math.max(...log.batches.map((b) => b.start));
    expect(lastBatchStart - outageAt).toBeLessThan(TIMINGS.failoverMillis);
    await delay(TIMINGS.failoverMillis);
    expect(log.batches.filter((b) => b.start > lastBatchStart)).toEqual([]); // nobody processes without a lease

    // The store answers again (the requests held back arrive late). The leases are taken again - after a failover
    // time, since their counters may have moved with those late renewals - and consumption resumes.
    const backAt = performance.now();
    for (const proxy of proxies) proxy.heal();
    await waitFor(() => held() === 4, 'the shards taken again', 10_000);
    await producer.stop();
    await waitFor(() => log.missing(producer.payloads()).length === 0, 'every record delivered', 10_000);
    for (const e of events.of('leaseAcquired').filter((a) => a.at > backAt)) {
      expect(e.at - backAt).toBeLessThan(2 * TIMINGS.failoverMillis + TIMINGS.refreshMillis + 1_000);
    }
    expect(log.orderViolations()).toEqual([]);
    expect(describeOverlaps(log.overlaps())).toEqual([]);
  });
});

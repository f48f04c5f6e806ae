/**
 * Worker processes (test/fixtures/worker-process.ts) that are paused or restarted, each lease store. A process paused
 * (SIGSTOP) for longer than the failover time loses its shards to another worker and, once continued, stops them
 * (ZOMBIE) without delivering another batch: before every delivery it checks its lease on its own monotonic clock.
 * A process restarted with the same worker id (a restarted pod) takes its old leases back only after one failover
 * time, and resumes after its last checkpoint.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ShutdownReason } from '@kcl/core';
import { waitFor } from '@kcl/testbed';
import { DeliveryLog, LEASE_STORE_NAMES, TIMINGS } from '../src';
import { deliveryLog, WorkerProcess } from './helpers/worker-processes';
import { useEndToEndSuite } from './helpers/e2e-suite';
import { runExclusively } from './helpers/exclusive-suite';

/** Scheduling slack on a loaded 2-core machine, on top of the bounds the lease protocol promises. */
const SLACK_MILLIS = 1_500;

// Worker processes with failover-time bounds: never two such files at once (see exclusive-suite).
runExclusively();
const { bed, useLeaseStore } = useEndToEndSuite({ checkRejections: false });

describe.each(LEASE_STORE_NAMES)('%s lease store', (storeName) => {
  const { store, cleanup, newTestStream } = useLeaseStore(storeName);

  test('SIGSTOP for longer than the failover time: another worker takes over; after SIGCONT the paused one delivers nothing', async () => {
    const { streamName, namespace, producer } = await newTestStream(2);
    const settings = {
      streamName,
      kinesisEndpoint: bed.endpoint,
      store: store.spec(namespace),
      failoverMillis: TIMINGS.failoverMillis,
      refreshMillis: TIMINGS.refreshMillis,
      stealing: false,
    };
    const paused = new WorkerProcess({ ...settings, workerId: 'paused' });
    cleanup.add(() => paused.stop('SIGKILL'));
    cleanup.add(() => paused.child.kill('SIGCONT')); // a stopped process must be continued to die of SIGTERM
    await waitFor(() => paused.started || !paused.running, 'the first worker process to start', 30_000);
    expect(paused.of('started')[0]?.leases).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    const other = new WorkerProcess({ ...settings, workerId: 'other' });
    cleanup.add(() => other.stop('SIGKILL'));
    await waitFor(() => other.started || !other.running, 'the second worker process to start', 30_000);
    expect(other.of('started')[0]?.leases).toEqual([]);
    producer.start(6, 40);
    await waitFor(() => paused.of('batch').length >= 10, 'the first worker delivering');

    paused.child.kill('SIGSTOP');
    const stoppedAt = performance.now();
    const taken = (): string[] =>
      other
        .of('leaseAcquired')
        .map((l) => l.shardId)
        .sort();
    await waitFor(() => taken().length === 2, 'the other worker taking both shards', 10_000);
    expect(other.of('leaseAcquired').every((l) => l.at - stoppedAt > TIMINGS.failoverMillis - TIMINGS.refreshMillis - 100)).toBe(true);
    await waitFor(() => new Set(other.of('batch').map((b) => b.shardId)).size === 2, 'the other worker delivering on both shards');

    // Wake the paused worker up: its leases are stale on its own monotonic clock, so it must stop (ZOMBIE) without
    // delivering another batch, and its in-flight writes must not touch the other worker's leases.
    const continuedAt = performance.now();
    paused.child.kill('SIGCONT');
    await waitFor(() => paused.of('shutdown').filter((s) => s.at > continuedAt).length === 2, 'the woken worker stopping its shards', 5_000);
    expect(
      paused
        .of('shutdown')
        .filter((s) => s.at > continuedAt)
        .map((s) => s.reason),
    ).toEqual([ShutdownReason.ZOMBIE, ShutdownReason.ZOMBIE]);
    expect(
      paused
        .of('leaseLost')
        .filter((l) => l.at > continuedAt)
        .map((l) => l.shardId)
        .sort(),
    ).toEqual(taken());
    await delay(500);
    await producer.stop();
    const log = (): DeliveryLog => deliveryLog([paused, other]);
    await waitFor(() => log().missing(producer.payloads()).length === 0, 'every record delivered', 10_000);
    expect(paused.of('batch').filter((b) => b.at > continuedAt)).toEqual([]);
    expect(paused.running).toBe(true); // alive, holding nothing
    expect(log().orderViolations()).toEqual([]);
    // The lease table is the other worker's: owner, and checkpoints at the last record of each shard.
    await waitFor(
      async () => [...(await store.leases(namespace)).values()].every((l) => l.checkpoint === producer.ofShard(l.id).at(-1)?.sequenceNumber),
      'checkpoints at the last record of each shard',
      5_000,
    );
    expect([...(await store.leases(namespace)).values()].map((l) => l.assignedTo)).toEqual(['other', 'other']);
  });
  test('restarted with the same worker id after SIGKILL: it waits one failover time for its old leases, then resumes', async () => {
    const { streamName, namespace, producer } = await newTestStream(2);
    const settings = {
      workerId: 'pod-0',
      streamName,
      kinesisEndpoint: bed.endpoint,
      store: store.spec(namespace),
      failoverMillis: TIMINGS.failoverMillis,
      refreshMillis: TIMINGS.refreshMillis,
      stealing: false,
    };
    const first = new WorkerProcess(settings);
    cleanup.add(() => first.stop('SIGKILL'));
    await waitFor(() => first.started || !first.running, 'the worker process to start', 30_000);
    expect(first.of('started')[0]?.leases).toHaveLength(2);
    producer.start(6, 40);
    await waitFor(() => first.of('batch').length >= 10, 'the worker delivering');
    await first.stop('SIGKILL');
    await delay(100);
    const checkpoints = new Map([...(await store.leases(namespace)).values()].map((l) => [l.id, l.checkpoint ?? '']));

    // Same worker id (a restarted pod): the leases still name it, but it cannot know whether an older incarnation of
    // itself is still alive, so it treats them like anyone else's: taken after one failover time.
    const second = new WorkerProcess(settings);
    cleanup.add(() => second.stop('SIGKILL'));
    await waitFor(() => second.started || !second.running, 'the restarted worker process to start', 30_000);
    const startedAt = second.of('started')[0]?.at as number;
    expect(second.of('started')[0]?.leases).toEqual([]);
    await waitFor(() => second.of('leaseAcquired').length === 2, 'the restarted worker taking its old leases', 10_000);
    for (const acquired of second.of('leaseAcquired')) {
      expect(acquired.at - startedAt).toBeGreaterThan(TIMINGS.failoverMillis - TIMINGS.refreshMillis);
      expect(acquired.at - startedAt).toBeLessThan(TIMINGS.failoverMillis + TIMINGS.refreshMillis + SLACK_MILLIS);
    }
    await delay(300);
    await producer.stop();
    const log = (): DeliveryLog => deliveryLog([first, second]);
    await waitFor(() => log().missing(producer.payloads()).length === 0, 'every record delivered', 10_000);
    const final = log();
    for (const [id, checkpoint] of checkpoints) {
      expect(checkpoint).toMatch(/^\d+$/);
      const resumed = final.batchesOf(id).find((b) => b.instance.startsWith('pod-0#') && b.start > startedAt)?.records[0];
      expect(resumed?.sequenceNumber).toBe(producer.ofShard(id).find((r) => BigInt(r.sequenceNumber) > BigInt(checkpoint))?.sequenceNumber);
    }
    expect(final.orderViolations()).toEqual([]);
  });
});

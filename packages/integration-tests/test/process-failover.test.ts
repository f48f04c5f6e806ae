/**
 * Workers in separate processes (test/fixtures/worker-process.ts), one lease table, each lease store. One process is
 * SIGKILLed mid-stream: its shards resume on the others after the failover time, right after its last checkpoint,
 * and nothing is lost. Then another is stopped with SIGTERM (graceful shutdown): its shards move at once and not a
 * single record is delivered twice (the processors checkpoint every batch).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ShutdownReason, type ShardStatus } from '@kcl/core';
import { waitFor } from '@kcl/testbed';
import { DeliveryLog, LEASE_STORE_NAMES, TIMINGS, type StoreNamespace } from '../src';
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

  async function leasesByOwner(namespace: StoreNamespace): Promise<{ leases: Map<string, ShardStatus>; owned: (id: string) => string[] }> {
    const leases = await store.leases(namespace);
    const owned = (workerId: string): string[] =>
      [...leases.values()]
        .filter((l) => l.assignedTo === workerId)
        .map((l) => l.id)
        .sort();
    return { leases, owned };
  }

  test('SIGKILL: shards resume elsewhere after the failover time from the last checkpoint; SIGTERM: they move without duplicates', async () => {
    const { streamName, namespace, producer } = await newTestStream(6);
    const processes = ['p1', 'p2', 'p3'].map(
      (workerId) =>
        new WorkerProcess({
          workerId,
          streamName,
          kinesisEndpoint: bed.endpoint,
          store: store.spec(namespace),
          failoverMillis: TIMINGS.failoverMillis,
          refreshMillis: TIMINGS.refreshMillis,
          stealing: true,
        }),
    );
    cleanup.add(() => Promise.all(processes.map((p) => p.stop('SIGKILL'))));
    const [victim, leaver, stayer] = processes as [WorkerProcess, WorkerProcess, WorkerProcess];
    await waitFor(() => processes.every((p) => p.started || !p.running), 'the worker processes to start', 30_000);
    expect(processes.map((p) => p.running)).toEqual([true, true, true]); // none crashed on start-up (stderr shows why)

    producer.start(6, 40);
    // The leader's balancing spreads the shards 2/2/2 by hand-offs; each process checkpoints as it goes.
    await waitFor(
      async () => {
        const { leases, owned } = await leasesByOwner(namespace);
        return processes.every((p) => owned(p.workerId).length === 2) && [...leases.values()].every((l) => l.checkpoint !== undefined);
      },
      'leases spread 2/2/2 with checkpoints',
      20_000,
    );
    await delay(500);

    // 1. SIGKILL mid-stream.
    const victimShards = (await leasesByOwner(namespace)).owned(victim.workerId);
    expect(victimShards).toHaveLength(2);
    const killedAt = performance.now();
    await victim.stop('SIGKILL');
    await delay(100); // any checkpoint write the victim sent before dying has landed by now
    const checkpointAtKill = new Map(victimShards.map((id) => [id, '']));
    const afterKill = await store.leases(namespace);
    for (const id of victimShards) checkpointAtKill.set(id, afterKill.get(id)?.checkpoint ?? '');

    const takeover = (shardId: string): { workerId: string; at: number } | undefined =>
      [leaver, stayer].flatMap((p) => p.of('leaseAcquired')).find((l) => l.shardId === shardId && l.at > killedAt);
    await waitFor(() => victimShards.every((id) => takeover(id) !== undefined), 'the survivors taking the dead worker’s shards', 10_000);
    for (const id of victimShards) {
      const after = (takeover(id) as { at: number }).at - killedAt;
      // Not before the failover time since its last renewal (at most one renewal period before the kill)...
      expect(after).toBeGreaterThan(TIMINGS.failoverMillis - TIMINGS.refreshMillis - 100);
      // ...and within failover + one refresh period (+ scheduling slack).
      expect(after).toBeLessThan(TIMINGS.failoverMillis + TIMINGS.refreshMillis + SLACK_MILLIS);
    }
    await waitFor(async () => (await leasesByOwner(namespace)).owned(leaver.workerId).length === 3, 'the survivors holding 3 shards each', 10_000);
    // The dead worker's registry entry goes once the leader has seen it silent for two failover times. Until then a
    // leader elected meanwhile (the leaver below may hold the role) cannot tell it from a live worker it has not
    // watched yet, and may assign it released leases: they would wait a failover time (a known limit, see README).
    await waitFor(
      async () => !(await store.workers(namespace)).some((w) => w.workerId === victim.workerId),
      'the dead worker leaving the registry',
      10_000,
    );
    await delay(300);
    // No balancing hand-off in flight when SIGTERM comes (a lease being handed between the survivors is not the
    // leaver's to release): no claim pending and the same owners over two refresh periods.
    const owners = async (): Promise<string> => {
      const leases = await store.leases(namespace);
      if ([...leases.values()].some((l) => l.claimRequest !== undefined)) return 'claims pending';
      return [...leases.values()].map((l) => `${l.id}:${l.assignedTo ?? ''}`).join(',');
    };
    let seen = '';
    await waitFor(
      async () => {
        const now = await owners();
        const stable = now === seen && now !== 'claims pending';
        seen = now;
        if (!stable) await delay(2 * TIMINGS.refreshMillis);
        return stable;
      },
      'lease owners stable, no claim pending',
      10_000,
    );

    // 2. SIGTERM: graceful shutdown, leases released.
    const leaverShards = (await leasesByOwner(namespace)).owned(leaver.workerId);
    const terminatedAt = performance.now();
    expect(await leaver.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(leaver.of('stopped')).toHaveLength(1);
    const leaverShutdowns = leaver.of('shutdown').filter((s) => s.at > terminatedAt);
    expect(leaverShutdowns.map((s) => s.shardId).sort()).toEqual(leaverShards);
    expect(leaverShutdowns.every((s) => s.reason === ShutdownReason.REQUESTED)).toBe(true);
    const handedOver = (shardId: string): number | undefined =>
      stayer.of('leaseAcquired').find((l) => l.shardId === shardId && l.at > terminatedAt)?.at;
    await waitFor(() => leaverShards.every((id) => handedOver(id) !== undefined), 'the last worker taking the released shards', 5_000);
    for (const id of leaverShards) {
      // Released leases are taken on the next pass, long before they could have expired.
      expect((handedOver(id) as number) - terminatedAt).toBeLessThan(TIMINGS.failoverMillis);
    }

    await delay(300);
    await producer.stop();
    const log = (): DeliveryLog => deliveryLog(processes);
    await waitFor(() => log().missing(producer.payloads()).length === 0, 'every record delivered', 15_000);

    const final = log();
    expect(final.missing(producer.payloads())).toEqual([]);
    expect(final.orderViolations()).toEqual([]);
    // After the kill, each of the victim's shards restarts right after its last checkpoint.
    for (const id of victimShards) {
      const checkpoint = checkpointAtKill.get(id) as string;
      expect(checkpoint).toMatch(/^\d+$/);
      const firstAfter = final.batchesOf(id).find((b) => b.workerId !== victim.workerId && b.start > killedAt)?.records[0];
      const expected = producer.ofShard(id).find((r) => BigInt(r.sequenceNumber) > BigInt(checkpoint));
      expect(firstAfter?.sequenceNumber).toBe(expected?.sequenceNumber);
    }
    // The only records delivered twice are those the victim delivered after its last checkpoint; the graceful
    // shutdown (and the hand-offs before) repeated nothing.
    const mayRepeat = new Set(
      final
        .deliveries()
        .filter((d) => d.batch.workerId === victim.workerId && checkpointAtKill.has(d.batch.shardId))
        .filter((d) => BigInt(d.sequenceNumber) > BigInt(checkpointAtKill.get(d.batch.shardId) as string))
        .map((d) => d.data),
    );
    expect(final.duplicates().filter((d) => !mayRepeat.has(d))).toEqual([]);
    expect(stayer.running).toBe(true);
    expect(await stayer.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});

/**
 * The leader role under SIGKILL and SIGSTOP of the worker process that holds it (test/fixtures/worker-process.ts),
 * each lease store. Which worker leads is read from the store (the coordinator lease) and from the leader lines the
 * processes print (tapped from their logs). Killed: another worker takes the role within the failover time plus one
 * refresh period, and the dead leader's leases go to the survivors in the same bound (the new leader inherits them at
 * once). Paused past the failover time: the same, and once continued the old leader stops its processors (ZOMBIE)
 * before delivering anything more and never acts as leader again (no round, no claim, the role stays elsewhere).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ShutdownReason } from '@kcl/core';
import { waitFor } from '@kcl/testbed';
import { describeOverlaps, LEASE_STORE_NAMES, STEADY_TIMINGS, type StoreNamespace } from '../src';
import { useEndToEndSuite } from './helpers/e2e-suite';
import { runExclusively } from './helpers/exclusive-suite';
import { checkpointsOf, leaderOf, ProcessFleet, unexpectedDuplicates } from './helpers/process-fleet';
import type { WorkerProcess } from './helpers/worker-processes';

/** Scheduling slack on a loaded 2-core machine, on top of the bounds the lease protocol promises. */
const SLACK_MILLIS = 1_500;
const SHARDS = 12;
const { failoverMillis, refreshMillis } = STEADY_TIMINGS;

// Worker processes with failover-time bounds: never two such files at once (see exclusive-suite).
runExclusively();
const { bed, useLeaseStore } = useEndToEndSuite({ checkRejections: false });

describe.each(LEASE_STORE_NAMES)('%s lease store', (storeName) => {
  const { store, cleanup, newTestStream } = useLeaseStore(storeName);

  /** Three balanced workers under load; returns the fleet and the leader's process (the store says which). */
  async function balancedFleet(namespace: StoreNamespace, streamName: string): Promise<{ fleet: ProcessFleet; leader: WorkerProcess }> {
    const fleet = new ProcessFleet(
      { streamName, kinesisEndpoint: bed.endpoint, store: store.spec(namespace), failoverMillis, refreshMillis, stealing: true },
      cleanup,
    );
    await fleet.startOne('w1');
    await fleet.start('w2', 'w3');
    await waitFor(() => fleet.balanced(SHARDS), 'the leases spread 4/4/4', 20_000);
    await waitFor(() => fleet.log().payloads().size >= 300, 'records flowing');
    const holder = await leaderOf(store, namespace);
    expect(['w1', 'w2', 'w3']).toContain(holder);
    // The store and the processes agree on who leads: the last election line is the holder's.
    expect(
      fleet
        .lines('leader')
        .filter((l) => l.event === 'elected')
        .at(-1)?.workerId,
    ).toBe(holder);
    return { fleet, leader: fleet.get(holder as string) };
  }

  /**
   * Per shard, the checkpoint the store held the last time it showed `workerId` as the owner, polled until every one
   * of `shardIds` has another owner (the paused worker writes nothing new meanwhile: this is where its tenure ended).
   */
  async function checkpointsAtTenureEnd(namespace: StoreNamespace, workerId: string, shardIds: string[]): Promise<Map<string, string>> {
    const atEnd = new Map<string, string>();
    await waitFor(
      async () => {
        const leases = await store.leases(namespace);
        let stillOwned = 0;
        for (const id of shardIds) {
          const lease = leases.get(id);
          if (lease?.assignedTo !== workerId) continue;
          stillOwned += 1;
          atEnd.set(id, lease.checkpoint ?? '');
        }
        return stillOwned === 0;
      },
      `the leases of ${workerId} moving to other workers`,
      20_000,
      50,
    );
    return atEnd;
  }

  /** The first election after `since` by a worker other than `leader`, once the store shows it. */
  async function nextLeader(
    fleet: ProcessFleet,
    namespace: StoreNamespace,
    leader: string,
    since: number,
  ): Promise<{ workerId: string; sentAt: number }> {
    const elected = (): { workerId: string; sentAt: number } | undefined =>
      fleet.lines('leader').find((l) => l.event === 'elected' && l.workerId !== leader && l.sentAt > since);
    await waitFor(
      async () => elected() !== undefined && (await leaderOf(store, namespace)) === elected()?.workerId,
      'another worker taking the leader role',
      15_000,
    );
    return elected() as { workerId: string; sentAt: number };
  }

  test('SIGKILL of the leader: the role and its leases move to the survivors within failover + one refresh period', async () => {
    const { streamName, namespace, producer } = await newTestStream(SHARDS);
    producer.start(12, 40);
    const { fleet, leader } = await balancedFleet(namespace, streamName);
    const leaderShards = [...fleet.held(leader)].sort();
    expect(leaderShards).toHaveLength(4);

    const killedAt = performance.now();
    await leader.stop('SIGKILL');
    await delay(100); // any checkpoint write it sent before dying has landed by now
    const checkpointAtKill = await checkpointsOf(store, namespace, leaderShards);

    const elected = await nextLeader(fleet, namespace, leader.workerId, killedAt);
    // Not before its validity could have ended (its last renewal was at most one renewal interval before the kill)...
    expect(elected.sentAt - killedAt).toBeGreaterThan(failoverMillis - refreshMillis - 100);
    // ...and within failover + one refresh period (+ scheduling slack).
    expect(elected.sentAt - killedAt).toBeLessThan(failoverMillis + refreshMillis + SLACK_MILLIS);

    const takeover = (shardId: string): number | undefined =>
      fleet.acquisitions().find((a) => a.shardId === shardId && a.workerId !== leader.workerId && a.sentAt > killedAt)?.sentAt;
    await waitFor(() => leaderShards.every((id) => takeover(id) !== undefined), 'the survivors taking the dead leader’s shards', 15_000);
    for (const id of leaderShards) {
      expect((takeover(id) as number) - killedAt).toBeGreaterThan(failoverMillis - refreshMillis - 100);
      expect((takeover(id) as number) - killedAt).toBeLessThan(failoverMillis + refreshMillis + SLACK_MILLIS);
    }
    await waitFor(() => fleet.balanced(SHARDS), 'the survivors holding 6 each', 10_000);

    await delay(300);
    await producer.stop();
    await waitFor(() => fleet.log().missing(producer.payloads()).length === 0, 'every record delivered', 15_000);
    const log = fleet.log();
    expect(log.missing(producer.payloads())).toEqual([]);
    expect(log.orderViolations()).toEqual([]);
    expect(describeOverlaps(log.overlaps())).toEqual([]);
    // Each of the dead leader's shards resumes right after its last checkpoint...
    for (const id of leaderShards) {
      const checkpoint = checkpointAtKill.get(id) as string;
      expect(checkpoint).toMatch(/^\d+$/);
      const resumed = log.batchesOf(id).find((b) => b.workerId !== leader.workerId && b.start > killedAt)?.records[0];
      expect(resumed?.sequenceNumber).toBe(producer.ofShard(id).find((r) => BigInt(r.sequenceNumber) > BigInt(checkpoint))?.sequenceNumber);
    }
    // ...so the only records delivered twice are those it delivered after its last checkpoint.
    expect(unexpectedDuplicates(log, leader.workerId, checkpointAtKill)).toEqual([]);
    expect(fleet.handOffProblems(producer)).toEqual([]);
  });

  test('SIGSTOP of the leader past the failover time: another leads; once continued, the old one stops its processors before delivering and never acts as leader again', async () => {
    const { streamName, namespace, producer } = await newTestStream(SHARDS);
    producer.start(12, 40);
    const { fleet, leader } = await balancedFleet(namespace, streamName);
    const leaderShards = [...fleet.held(leader)].sort();
    expect(leaderShards).toHaveLength(4);
    const oldInstances = new Set(leader.of('batch').map((b) => b.instance));

    leader.child.kill('SIGSTOP');
    const stoppedAt = performance.now();
    const tenureEnd = checkpointsAtTenureEnd(namespace, leader.workerId, leaderShards);
    await delay(100);
    const checkpointAtStop = await checkpointsOf(store, namespace, leaderShards);
    const elected = await nextLeader(fleet, namespace, leader.workerId, stoppedAt);
    expect(elected.sentAt - stoppedAt).toBeGreaterThan(failoverMillis - refreshMillis - 100);
    expect(elected.sentAt - stoppedAt).toBeLessThan(failoverMillis + refreshMillis + SLACK_MILLIS);
    const survivors = fleet.processes.filter((p) => p !== leader);
    await waitFor(() => fleet.balanced(SHARDS, survivors), 'the others holding all shards, 6 each', 15_000);

    // Wake it up: on its own clock its role and leases are stale.
    const continuedAt = performance.now();
    leader.child.kill('SIGCONT');
    await waitFor(
      () => leader.of('shutdownDone').filter((s) => s.sentAt > continuedAt).length >= leaderShards.length,
      'the woken leader stopping its processors',
      10_000,
    );
    const zombies = leader.of('shutdown').filter((s) => s.sentAt > continuedAt && oldInstances.has(s.instance));
    expect(zombies.map((s) => s.shardId).sort()).toEqual(leaderShards);
    expect(zombies.every((s) => s.reason === ShutdownReason.ZOMBIE)).toBe(true);
    expect(leader.of('leaseLost').filter((l) => l.sentAt > continuedAt && leaderShards.includes(l.shardId)).length).toBeGreaterThanOrEqual(
      leaderShards.length,
    );
    // Nothing delivered by its old processors after the pause. (It may get leases again later, by hand-off, after it
    // cooled down: those come with new processors.)
    expect(leader.of('batch').filter((b) => b.sentAt > stoppedAt && oldInstances.has(b.instance))).toEqual([]);
    const firstNewBatch = leader.of('batch').find((b) => b.sentAt > continuedAt)?.sentAt ?? Infinity;
    expect(Math.max(...zombies.map((s) => s.sentAt))).toBeLessThan(firstNewBatch);
    // A batch whose checkpoint was in flight at SIGSTOP may report success after SIGCONT only when its write reached
    // the store before the pause (the reply was read late): what the store held when the lease left the paused
    // worker already covers it. A write applied after the lease moved would be a fencing gap.
    const ownerAtEnd = await tenureEnd;
    const lateSuccesses = batchesCheckpointedAfter(leader, continuedAt, oldInstances);
    for (const { shardId, lastSequenceNumber } of lateSuccesses) {
      const covered = lastSequenceNumber !== undefined && BigInt(lastSequenceNumber) <= BigInt(ownerAtEnd.get(shardId) || '0');
      expect({ shardId, lastSequenceNumber, covered }).toEqual({ shardId, lastSequenceNumber, covered: true });
    }

    // It stepped down and never acts as leader again: the role stays with the new leader (still renewed), and the
    // woken one starts no round and asks for no hand-off.
    await waitFor(() => leader.of('leader').some((l) => l.event === 'deposed' && l.sentAt > continuedAt), 'the woken leader stepping down', 5_000);
    const roleCounters: number[] = [];
    for (let i = 0; i < 6; i++) {
      const role = await store.coordinator(namespace);
      expect(role?.assignedTo).toBe(elected.workerId);
      roleCounters.push(role?.leaseCounter ?? 0);
      await delay(refreshMillis);
    }
    expect(roleCounters.at(-1)).toBeGreaterThan(roleCounters[0] as number);
    const actedAsLeader = leader.of('leader').filter((l) => l.sentAt > continuedAt && l.event !== 'deposed');
    expect(actedAsLeader).toEqual([]);

    await producer.stop();
    await waitFor(() => fleet.log().missing(producer.payloads()).length === 0, 'every record delivered', 15_000);
    // Delivery moments (a call in flight at SIGSTOP spans the pause, so intervals would overlap by construction).
    const log = fleet.log({ intervals: false });
    expect(log.missing(producer.payloads())).toEqual([]);
    expect(log.orderViolations()).toEqual([]);
    expect(describeOverlaps(log.overlaps())).toEqual([]);
    expect(unexpectedDuplicates(log, leader.workerId, checkpointAtStop)).toEqual([]);
    expect(leader.running).toBe(true);
  });
});

/** Batches of `instances` whose checkpoint reported success after `since`, with their last record's sequence number. */
function batchesCheckpointedAfter(
  worker: WorkerProcess,
  since: number,
  instances: Set<string>,
): Array<{ shardId: string; lastSequenceNumber: string | undefined }> {
  const batchesOf = new Map<string, Array<{ shardId: string; records: Array<{ sequenceNumber: string }> }>>();
  for (const b of worker.of('batch')) batchesOf.set(b.instance, [...(batchesOf.get(b.instance) ?? []), b]);
  const seen = new Map<string, number>();
  const late: Array<{ shardId: string; lastSequenceNumber: string | undefined }> = [];
  for (const done of worker.of('batchDone')) {
    const n = seen.get(done.instance) ?? 0;
    seen.set(done.instance, n + 1);
    if (done.sentAt <= since || !done.checkpointed || !instances.has(done.instance)) continue;
    const batch = batchesOf.get(done.instance)?.[n];
    late.push({ shardId: done.shardId, lastSequenceNumber: batch?.records.at(-1)?.sequenceNumber });
  }
  return late;
}

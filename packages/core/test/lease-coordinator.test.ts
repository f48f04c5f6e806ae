/**
 * LeaseCoordinator: the release is fenced by the token of the tenure being released (a stale incarnation of the same
 * worker id cannot free the live owner's lease), and the set of shards ended locally stays bounded.
 * In-memory lease store, real timers with long lease periods (nothing fires on its own during a case).
 */
import { takeOrRenewLease } from '../src/checkpoint/lease-transitions';
import type { Checkpointer } from '../src/checkpoint/checkpointer';
import { SHARD_END } from '../src/checkpoint/shard-status';
import type { LeaseLostReason } from '../src/leases/held-lease';
import { LeaseCoordinator } from '../src/leases/lease-coordinator';
import { NoopMonitoringService } from '../src/metrics/monitoring-service';
import { ShardRegistry } from '../src/shards/shard-registry';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../src/testing';
import { RecordingLogger } from './helpers/consumer-recorders';
import { waitFor } from './helpers/consumer-harness';

const F = 60_000;

function setup(table: InMemoryLeaseTable, shards: string[], workerId = 'w', wrap: (c: Checkpointer) => Checkpointer = (c) => c) {
  const registry = new ShardRegistry();
  registry.applyListing(shards.map((shardId) => ({ shardId, parentShardIds: [] })));
  const lost: Array<{ shardId: string; reason: LeaseLostReason }> = [];
  const errors: unknown[] = [];
  const coordinator = new LeaseCoordinator({
    checkpointer: wrap(new InMemoryCheckpointer(table, { workerId, failoverTimeMillis: F })),
    config: {
      workerId,
      failoverTimeMillis: F,
      leaseRefreshPeriodMillis: 20_000,
      maxLeasesForWorker: 100,
      enableLeaseStealing: false,
      leaseStealingIntervalMillis: 60_000,
      leaseSyncingTimeIntervalMillis: 60_000,
    },
    registry,
    logger: new RecordingLogger(),
    monitoring: new NoopMonitoringService(),
    listener: {
      leaseAcquired: () => undefined,
      leaseLost: (shardId, reason) => lost.push({ shardId, reason }),
      error: (error) => errors.push(error),
    },
  });
  return { coordinator, registry, lost, errors };
}

async function stop(coordinator: LeaseCoordinator): Promise<void> {
  await coordinator.stopAcquiring();
  coordinator.stopRenewing();
}

describe('LeaseCoordinator.release', () => {
  test('a stale incarnation of the same worker id cannot release the lease its successor took', async () => {
    const table = new InMemoryLeaseTable();
    const stale = setup(table, ['s0']);
    await stale.coordinator.start();
    try {
      expect(stale.coordinator.get('s0')?.state).toBe('active');
      const staleToken = table.get('s0')?.leaseToken;
      // While the old process is paused (SIGSTOP), a restarted process with the same worker id takes the lease.
      const restarted = new InMemoryCheckpointer(table, { workerId: 'w', failoverTimeMillis: F });
      const successor = { ...table.get('s0')!, leaseToken: undefined }; // it does not know the old token: a take
      await takeOrRenewLease(restarted, successor, 'w');
      expect(successor.leaseToken).not.toBe(staleToken);

      // The old process resumes inside shutdown(REQUESTED) and releases its lease.
      await stale.coordinator.release('s0', 'released');
      expect(table.get('s0')).toMatchObject({ assignedTo: 'w', leaseToken: successor.leaseToken, leaseCounter: successor.leaseCounter });
      expect(stale.lost).toEqual([{ shardId: 's0', reason: 'released' }]);
      expect(stale.errors).toEqual([]);
      await takeOrRenewLease(restarted, successor, 'w'); // the successor still holds and renews it
    } finally {
      await stop(stale.coordinator);
    }
  });

  test('the live tenure releases its lease with its token', async () => {
    const table = new InMemoryLeaseTable();
    const { coordinator } = setup(table, ['s0']);
    await coordinator.start();
    try {
      const counter = table.get('s0')!.leaseCounter;
      await coordinator.release('s0', 'released');
      expect(table.get('s0')).toMatchObject({ assignedTo: undefined, leaseToken: undefined, leaseCounter: counter + 1 });
    } finally {
      await stop(coordinator);
    }
  });
});

/** The coordinator's private set of shards it saw end (not a public accessor: only this test watches its bound). */
function endedLocally(coordinator: LeaseCoordinator): ReadonlySet<string> {
  return coordinator['endedLocally'];
}

describe('LeaseCoordinator: shards ended locally are forgotten once the table or the stream says so', () => {
  test('dropped after a table read shows SHARD_END, or once the stream no longer lists the shard', async () => {
    const table = new InMemoryLeaseTable();
    const { coordinator, registry } = setup(table, ['s0', 's1']);
    await coordinator.start();
    try {
      const s0 = coordinator.get('s0')!;
      const finished = { ...s0.shard, parentShardIds: [], checkpoint: SHARD_END };
      await new InMemoryCheckpointer(table, { workerId: 'w' }).checkpointSequence(finished);
      coordinator.shardEnded('s0');
      // s1 ended too, but its SHARD_END is not in the table yet (as when the read ran before the write landed)
      coordinator.shardEnded('s1');
      expect([...endedLocally(coordinator)].sort()).toEqual(['s0', 's1']);

      const passes = table.callCount('listLeases');
      coordinator.triggerTakePass();
      await waitFor(() => !endedLocally(coordinator).has('s0'), 'a take pass that drops s0');
      expect(table.callCount('listLeases')).toBeGreaterThan(passes);
      expect([...endedLocally(coordinator)]).toEqual(['s1']);
      expect(table.get('s1')?.checkpoint).toBeUndefined();
      expect(coordinator.heldLeases().map((h) => h.shardId)).toEqual([]);

      // the stream drops s1 (trimmed): nothing can lease or wait for it any more
      registry.applyListing([{ shardId: 's2', parentShardIds: [] }]);
      coordinator.triggerTakePass();
      await waitFor(() => endedLocally(coordinator).size === 0, 'a take pass that drops s1');
    } finally {
      await stop(coordinator);
    }
  });

  test('stays bounded over many ended shards', async () => {
    const table = new InMemoryLeaseTable();
    const ids = Array.from({ length: 50 }, (_, i) => `s${i}`);
    const { coordinator } = setup(table, ids);
    await coordinator.start();
    try {
      const store = new InMemoryCheckpointer(table, { workerId: 'w' });
      for (const id of ids) {
        const held = coordinator.get(id)!;
        await store.checkpointSequence({ ...held.shard, parentShardIds: [], checkpoint: SHARD_END });
        coordinator.shardEnded(id);
      }
      expect(endedLocally(coordinator).size).toBe(50);
      coordinator.triggerTakePass();
      await waitFor(() => endedLocally(coordinator).size === 0, 'a take pass that drops every finished shard');
      expect(table.list().every((l) => l.checkpoint === SHARD_END)).toBe(true);
    } finally {
      await stop(coordinator);
    }
  });
});

describe('LeaseCoordinator with a store written for the contract before fleet coordination', () => {
  test('no coordination calls: the worker takes its share with take passes, as before', async () => {
    const table = new InMemoryLeaseTable();
    const coordinationMethods = new Set(['heartbeat', 'listWorkers', 'getCoordinatorLease', 'takeCoordinatorLease', 'listOwnedLeases']);
    const older = (c: Checkpointer): Checkpointer =>
      new Proxy(c, { get: (t, p) => (coordinationMethods.has(String(p)) ? undefined : (Reflect.get(t, p, t) as unknown)) });
    const a = setup(table, ['s0', 's1'], 'a', older);
    await a.coordinator.start();
    try {
      expect(
        a.coordinator
          .heldLeases()
          .map((h) => h.shardId)
          .sort(),
      ).toEqual(['s0', 's1']);
      expect(a.coordinator.isLeader()).toBe(true); // every worker reads the table (and may clean up) in this mode
      const passes = table.callCount('listLeases');
      a.coordinator.triggerTakePass();
      await waitFor(() => table.callCount('listLeases') > passes, 'another take pass');
      expect(table.callCount('heartbeat') + table.callCount('getCoordinatorLease')).toBe(0);
      expect(a.errors).toEqual([]);
    } finally {
      await stop(a.coordinator);
    }
  });
});

/**
 * SPEC behaviour 6, deterministically: the leases of a dead worker are taken within failover time plus one renewal
 * period of its last renewal, also by a survivor that is already at its fair share. Jest fake timers drive every
 * timer of a real LeaseCoordinator; its monotonic clock is the (fake) Date.now().
 */
import { takeOrRenewLease } from '../src/checkpoint/lease-transitions';
import { createShardStatus, type ShardStatus } from '../src/checkpoint/shard-status';
import { LeaseCoordinator } from '../src/leases/lease-coordinator';
import { NoopMonitoringService } from '../src/metrics/monitoring-service';
import { ShardRegistry } from '../src/shards/shard-registry';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../src/testing';
import { RecordingLogger } from './helpers/consumer-recorders';

const F = 1_000;
const R = 400;
const SHARDS = ['s0', 's1', 's2', 's3'];

interface Acquisition {
  shardId: string;
  at: number;
}

function setup() {
  const table = new InMemoryLeaseTable();
  const registry = new ShardRegistry();
  registry.applyListing(SHARDS.map((shardId) => ({ shardId, parentShardIds: [] })));
  const acquired: Acquisition[] = [];
  const clock = (): number => Date.now();
  const coordinator = new LeaseCoordinator({
    checkpointer: new InMemoryCheckpointer(table, { workerId: 'b', failoverTimeMillis: F }),
    config: {
      workerId: 'b',
      failoverTimeMillis: F,
      leaseRefreshPeriodMillis: R,
      maxLeasesForWorker: 100,
      enableLeaseStealing: false,
      leaseStealingIntervalMillis: 5_000,
      leaseSyncingTimeIntervalMillis: 60_000,
    },
    registry,
    logger: new RecordingLogger(),
    monitoring: new NoopMonitoringService(),
    listener: {
      leaseAcquired: (handle) => acquired.push({ shardId: handle.shardId, at: clock() }),
      leaseLost: () => undefined,
      error: () => undefined,
    },
    clock,
    // Take passes exactly every R (jitter factor 0.8 + 0.2 * 0.999999 rounds to 1); shuffles keep their order.
    random: () => 0.999_999,
  });
  return { table, coordinator, acquired };
}

async function advanceTo(t: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(Math.max(0, t - Date.now()));
}

describe('failover bound (fake timers)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  test('a survivor at its fair share takes a dead worker’s leases within failover + one refresh period of its last renewal', async () => {
    const { table, coordinator, acquired } = setup();
    // Worker "a" (a bare store) holds s0 and s1 and renews them 1 ms after each of b's take passes, so b first
    // sees each new counter value almost a whole take interval late: the worst observation lag.
    const a = new InMemoryCheckpointer(table, { workerId: 'a', failoverTimeMillis: F });
    const aLeases: ShardStatus[] = [createShardStatus('s0'), createShardStatus('s1')];
    for (const lease of aLeases) await takeOrRenewLease(a, lease, 'a');

    await coordinator.start(); // first pass at t = 0: b takes s2 and s3 (fair share 2 of 4)
    try {
      expect(acquired.map((x) => x.shardId).sort()).toEqual(['s2', 's3']);

      const passesAtStart = table.callCount('listLeases');
      let lastRenewal = 0;
      for (let k = 0; k < 10; k++) {
        await advanceTo(k * R + 1);
        for (const lease of aLeases) await takeOrRenewLease(a, lease, 'a');
        lastRenewal = Date.now();
      }
      // While "a" renews, b keeps to its regular pace (passes at R, 2R, ... 9R): no extra passes.
      expect(table.callCount('listLeases') - passesAtStart).toBe(9);
      expect(acquired).toHaveLength(2);

      // "a" dies right after its last renewal.
      await advanceTo(lastRenewal + F + 3 * R);
      const takeovers = acquired.filter((x) => x.shardId === 's0' || x.shardId === 's1');
      expect(takeovers.map((x) => x.shardId).sort()).toEqual(['s0', 's1']);
      for (const { at } of takeovers) {
        // Never before the failover time (the lease is expired only after F unchanged on b's clock)...
        expect(at - lastRenewal).toBeGreaterThan(F);
        // ...and within F + one refresh period (the observation lag), plus a few ms of scheduling margin.
        expect(at - lastRenewal).toBeLessThanOrEqual(F + R + 5);
      }
      expect(
        coordinator
          .heldLeases()
          .map((h) => h.shardId)
          .sort(),
      ).toEqual(SHARDS);
    } finally {
      await coordinator.stopAcquiring();
      coordinator.stopRenewing();
    }
  });
});

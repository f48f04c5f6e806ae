/**
 * Bounded lease writes: the concurrency helper (runBounded, mapBounded), and that the start pass (LeaseTaker) and the
 * leader round (LeaseAssigner) never have more than LEASE_WRITE_CONCURRENCY lease writes in flight while still taking
 * every lease they should. In-memory lease store wrapped to count concurrent takeLease calls.
 */
import type { Checkpointer } from '../src/checkpoint/checkpointer';
import type { ShardStatus } from '../src/checkpoint/shard-status';
import { LEASE_WRITE_CONCURRENCY, mapBounded, runBounded } from '../src/leases/bounded-concurrency';
import { LeaseCoordinator } from '../src/leases/lease-coordinator';
import { NoopMonitoringService } from '../src/metrics/monitoring-service';
import { ShardRegistry } from '../src/shards/shard-registry';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../src/testing';
import { RecordingLogger } from './helpers/consumer-recorders';
import { waitFor } from './helpers/consumer-harness';
import { InFlightGauge } from './helpers/in-flight-gauge';

const F = 60_000;

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('mapBounded / runBounded', () => {
  test('keeps at most `limit` calls in flight, starts items in order and returns results in order', async () => {
    const gates = Array.from({ length: 10 }, deferred);
    const started: number[] = [];
    let inFlight = 0;
    let max = 0;
    const run = mapBounded(gates, 3, async (gate, i) => {
      started.push(i);
      inFlight++;
      max = Math.max(max, inFlight);
      await gate.promise;
      inFlight--;
      return i * 10;
    });
    await flush();
    expect(started).toEqual([0, 1, 2]);
    gates[1]!.resolve();
    await flush();
    expect(started).toEqual([0, 1, 2, 3]); // a free slot starts the next item at once
    for (const gate of gates) gate.resolve();
    expect(await run).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(max).toBe(3);
  });

  test('fewer items than the limit, and no items', async () => {
    expect(await mapBounded([1, 2], 64, async (x) => x + 1)).toEqual([2, 3]);
    expect(await mapBounded([], 64, async (x) => x)).toEqual([]);
  });

  test('a rejection rejects the run after the calls in flight settled, and starts nothing new', async () => {
    const gates = Array.from({ length: 6 }, deferred);
    const started: number[] = [];
    let settled = 0;
    const run = mapBounded(gates, 2, async (gate, i) => {
      started.push(i);
      try {
        await gate.promise;
      } finally {
        settled++;
      }
    });
    let rejected: unknown;
    const done = run.catch((error: unknown) => {
      rejected = error;
    });
    await flush();
    gates[0]!.reject(new Error('boom'));
    await flush();
    expect(rejected).toBeUndefined(); // item 1 is still in flight
    gates[1]!.resolve();
    await done;
    expect((rejected as Error).message).toBe('boom');
    expect(started).toEqual([0, 1]);
    expect(settled).toBe(2);
  });

  test('runBounded asks for work until none is left; a limit below 1 is refused', async () => {
    let left = 5;
    let ran = 0;
    await runBounded(2, () => (left-- > 0 ? async () => void ran++ : undefined));
    expect(ran).toBe(5);
    await expect(runBounded(0, () => undefined)).rejects.toThrow(RangeError);
    await expect(runBounded(1.5, () => undefined)).rejects.toThrow(RangeError);
  });
});

/** `takeLease` calls for `owner` counted by `gauge` (the other methods pass through). */
function gauged(inner: Checkpointer, gauge: InFlightGauge, owner: string): Checkpointer {
  return new Proxy(inner, {
    get: (target, property) => {
      if (property === 'takeLease') {
        return (shard: ShardStatus, newAssignTo: string) => {
          const call = target.takeLease(shard, newAssignTo);
          return newAssignTo === owner ? gauge.track(call) : call;
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function coordinator(table: InMemoryLeaseTable, shards: number, checkpointer: Checkpointer, maxLeasesForWorker: number, failoverTimeMillis = F) {
  const registry = new ShardRegistry();
  registry.applyListing(Array.from({ length: shards }, (_, i) => ({ shardId: `shardId-${String(i).padStart(12, '0')}`, parentShardIds: [] })));
  const errors: unknown[] = [];
  const c = new LeaseCoordinator({
    checkpointer,
    config: {
      workerId: 'w',
      failoverTimeMillis,
      leaseRefreshPeriodMillis: 20_000,
      maxLeasesForWorker,
      enableLeaseStealing: false,
      leaseStealingIntervalMillis: 60_000,
      leaseSyncingTimeIntervalMillis: 60_000,
    },
    registry,
    logger: new RecordingLogger(),
    monitoring: new NoopMonitoringService(),
    listener: { leaseAcquired: () => undefined, leaseLost: () => undefined, error: (error) => errors.push(error) },
  });
  return { coordinator: c, errors };
}

async function stop(c: LeaseCoordinator): Promise<void> {
  await c.stopAcquiring();
  c.stopRenewing();
}

describe('lease writes in flight', () => {
  test(`the start pass takes 300 leases with at most ${LEASE_WRITE_CONCURRENCY} takes in flight`, async () => {
    const table = new InMemoryLeaseTable();
    table.setLatency(1);
    const gauge = new InFlightGauge();
    const store = gauged(new InMemoryCheckpointer(table, { workerId: 'w', failoverTimeMillis: F }), gauge, 'w');
    const { coordinator: c, errors } = coordinator(table, 300, store, 1_000);
    try {
      await c.start();
      expect(c.activeCount()).toBe(300);
      expect(gauge.calls).toBe(300);
      expect(gauge.max).toBe(LEASE_WRITE_CONCURRENCY);
      expect(errors).toEqual([]);
    } finally {
      await stop(c);
    }
  });

  test('a take another worker won makes room for the next candidate: the pass still reaches its share', async () => {
    const table = new InMemoryLeaseTable();
    const gauge = new InFlightGauge();
    const inner = new InMemoryCheckpointer(table, { workerId: 'w', failoverTimeMillis: F });
    let raced = 0;
    const racing = new Proxy(inner, {
      get: (target, property) => {
        if (property === 'takeLease') {
          return async (shard: ShardStatus, newAssignTo: string) => {
            // Another worker takes every 10th shard just before this worker's take arrives.
            if (Number(shard.id.slice(-3)) % 10 === 0) {
              raced++;
              await new InMemoryCheckpointer(table, { workerId: 'rival', failoverTimeMillis: F }).takeLease(
                { ...shard, parentShardIds: [] },
                'rival',
              );
            }
            return target.takeLease(shard, newAssignTo);
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const { coordinator: c } = coordinator(table, 300, gauged(racing, gauge, 'w'), 200);
    try {
      await c.start();
      expect(c.activeCount()).toBe(200); // its share (maxLeasesForWorker), despite the lost races
      expect(raced).toBeGreaterThan(0);
      expect(gauge.max).toBeLessThanOrEqual(LEASE_WRITE_CONCURRENCY);
    } finally {
      await stop(c);
    }
  });

  test(`the leader round assigns 150 leases to another worker with at most ${LEASE_WRITE_CONCURRENCY} writes in flight`, async () => {
    const table = new InMemoryLeaseTable();
    await new InMemoryCheckpointer(table, { workerId: 'other', failoverTimeMillis: F }).heartbeat('other');
    const gauge = new InFlightGauge();
    const store = gauged(new InMemoryCheckpointer(table, { workerId: 'w', failoverTimeMillis: F }), gauge, 'other');
    const { coordinator: c, errors } = coordinator(table, 300, store, 150);
    try {
      await c.start(); // takes its 150 (maxLeasesForWorker)
      expect(c.isLeader()).toBe(true);
      table.setLatency(1);
      c.triggerTakePass(); // the leader round: the other 150 go to the live worker `other`
      const assignedToOther = (): number => table.list().filter((l) => l.assignedTo === 'other').length;
      await waitFor(() => assignedToOther() === 150, '150 leases assigned to other', 10_000);
      expect(gauge.calls).toBe(150);
      expect(gauge.max).toBe(LEASE_WRITE_CONCURRENCY);
      expect(errors).toEqual([]);
    } finally {
      await stop(c);
    }
  });

  test('the leader role is renewed while a start pass longer than its validity runs (no lease given up)', async () => {
    const failover = 2_000; // validity 1.6 s, leases and role renewed every 800 ms
    const table = new InMemoryLeaseTable();
    // Takes answer after 600 ms: 300 takes in rounds of LEASE_WRITE_CONCURRENCY take 1.8 s, longer than the validity;
    // a lease taken is renewed within 600 + 800 ms of its take's start, 200 ms inside its validity (with 400 ms takes
    // and a 1 s failover time the margin was 0 and the test failed under load).
    table.setLatency((op) => (op === 'takeLease' ? 600 : 0));
    const store = new InMemoryCheckpointer(table, { workerId: 'w', failoverTimeMillis: failover });
    const lost: string[] = [];
    const { coordinator: c, errors } = coordinator(table, 300, store, 1_000, failover);
    try {
      const started = performance.now();
      await c.start();
      expect(performance.now() - started).toBeGreaterThan(1_600);
      expect(c.isLeader()).toBe(true);
      expect(c.activeCount()).toBe(300);
      for (const h of c.heldLeases()) if (h.state !== 'active') lost.push(h.shardId);
      expect(lost).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await stop(c);
    }
  });
});

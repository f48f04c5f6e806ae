/** Lease validity, renewal, loss and hand-off requests (LeaseRenewer + HeldLease) on the in-memory lease store. */
import { takeOrRenewLease } from '../src/checkpoint/lease-transitions';
import type { Checkpointer } from '../src/checkpoint/checkpointer';
import { createShardStatus, type ShardStatus } from '../src/checkpoint/shard-status';
import { LeaseLostError, LeaseStoreUnavailableError } from '../src/errors';
import { LEASE_WRITE_CONCURRENCY } from '../src/leases/bounded-concurrency';
import { HeldLease, type LeaseLostReason } from '../src/leases/held-lease';
import { LeaseRenewer, RENEW_BATCH_MAX } from '../src/leases/lease-renewer';
import { computeLeaseTiming } from '../src/leases/lease-timing';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../src/testing';
import { RecordingLogger } from './helpers/consumer-recorders';
import { InFlightGauge } from './helpers/in-flight-gauge';
import { CountingMonitoring, waitFor } from './helpers/worker-harness';

const F = 500;
const R = 100;

describe('computeLeaseTiming', () => {
  test('validity = failover - 20 %, renewals at least twice per validity window', () => {
    expect(computeLeaseTiming(10_000, 5_000)).toEqual({
      failoverTimeMillis: 10_000,
      safetyMarginMillis: 2_000,
      validityMillis: 8_000,
      renewIntervalMillis: 4_000,
      renewRetryMillis: 1_000,
      takeIntervalMillis: 5_000,
    });
    expect(computeLeaseTiming(600, 150)).toMatchObject({ validityMillis: 480, renewIntervalMillis: 150, renewRetryMillis: 37 });
    const t = computeLeaseTiming(1_000, 990);
    expect(t.renewIntervalMillis).toBe(400);
    expect(t.validityMillis).toBeLessThan(1_000);
  });
});

describe('HeldLease', () => {
  test('is valid while the last renewal STARTED less than the validity window ago, on the injected clock', () => {
    let now = 1_000;
    const shard = createShardStatus('s', { assignedTo: 'me', leaseToken: 't', leaseCounter: 1 });
    const handle = new HeldLease(shard, 1_000, 400, () => now, 'me');
    now = 1_399;
    expect(handle.isValid()).toBe(true);
    expect(handle.millisUntilInvalid()).toBe(1);
    now = 1_400;
    expect(handle.isValid()).toBe(false);
    // A renewal that started at 1300 (even if it answered later) extends validity from 1300.
    handle.applyRenewal({ ...shard, leaseCounter: 2 }, 1_300, 'me');
    expect(handle.isValid()).toBe(true);
    expect(handle.shard.leaseCounter).toBe(2);
    now = 1_700;
    expect(handle.isValid()).toBe(false);
  });

  test('markLost aborts the lost signal once with a LeaseLostError', () => {
    const handle = new HeldLease(createShardStatus('s'), 0, 400, () => 0, 'me');
    expect(handle.markLost('taken')).toBe(true);
    expect(handle.markLost('expired')).toBe(false);
    expect(handle.lostSignal.aborted).toBe(true);
    expect(handle.lostSignal.reason).toBeInstanceOf(LeaseLostError);
    expect(handle.reason).toBe('taken');
    expect(handle.isValid()).toBe(false);
  });
});

describe('LeaseRenewer', () => {
  interface Setup {
    table: InMemoryLeaseTable;
    store: InMemoryCheckpointer;
    handle: HeldLease;
    renewer: LeaseRenewer;
    lost: Array<{ reason: LeaseLostReason; at: number }>;
    errors: unknown[];
    monitoring: CountingMonitoring;
  }
  const running: LeaseRenewer[] = [];
  afterEach(() => {
    for (const r of running.splice(0)) r.stopAll();
  });

  async function setup(): Promise<Setup> {
    const table = new InMemoryLeaseTable();
    const store = new InMemoryCheckpointer(table, { workerId: 'me', failoverTimeMillis: F });
    const shard = createShardStatus('shard-1');
    const startedAt = performance.now();
    await takeOrRenewLease(store, shard, 'me');
    const timing = computeLeaseTiming(F, R);
    const handle = new HeldLease(shard, startedAt, timing.validityMillis, () => performance.now(), 'me');
    const lost: Setup['lost'] = [];
    const errors: unknown[] = [];
    const monitoring = new CountingMonitoring();
    const renewer = new LeaseRenewer({
      checkpointer: store,
      workerId: 'me',
      timing,
      clock: () => performance.now(),
      logger: new RecordingLogger(),
      monitoring,
      onLost: (_h, reason) => lost.push({ reason, at: performance.now() }),
      onError: (error) => errors.push(error),
    });
    running.push(renewer);
    renewer.track(handle);
    return { table, store, handle, renewer, lost, errors, monitoring };
  }

  test('renews every interval, keeps the lease valid and never overwrites the consumer’s checkpoint fields', async () => {
    const { table, handle, monitoring } = await setup();
    handle.shard.checkpoint = '12345'; // set by the consumer, not yet written
    await new Promise((r) => setTimeout(r, 5 * R + 50));
    expect(handle.isValid()).toBe(true);
    expect(monitoring.renewed).toBeGreaterThanOrEqual(3);
    expect(table.get('shard-1')!.leaseCounter).toBe(1 + monitoring.renewed);
    expect(handle.shard.leaseCounter).toBe(table.get('shard-1')!.leaseCounter);
    expect(handle.shard.checkpoint).toBe('12345');
  });

  test('a renewal that finds another owner loses the lease at once (taken)', async () => {
    const { table, handle, lost } = await setup();
    const thief = new InMemoryCheckpointer(table, { workerId: 'thief' });
    const stored = table.get('shard-1') as ShardStatus;
    await takeOrRenewLease(thief, stored, 'thief');
    const t0 = performance.now();
    await waitFor(() => handle.lostSignal.aborted, 'lost signal', 2_000);
    expect(performance.now() - t0).toBeLessThan(R + 100);
    expect(lost.map((l) => l.reason)).toEqual(['taken']);
    expect(handle.lostSignal.reason).toBeInstanceOf(LeaseLostError);
  });

  test('a store that stops answering: the lease is given up when the validity window closes, before the failover time', async () => {
    const { table, handle, lost } = await setup();
    await new Promise((r) => setTimeout(r, R + 20)); // one renewal done
    table.pause();
    const pausedAt = performance.now();
    await waitFor(() => handle.lostSignal.aborted, 'lost signal', 2_000);
    const lostAt = lost[0]!.at;
    expect(lost.map((l) => l.reason)).toEqual(['expired']);
    // Lost within validity (0.8 F) of the last renewal start, which was at most one interval before the pause.
    expect(lostAt - pausedAt).toBeLessThan(0.8 * F + 30);
    expect(lostAt - pausedAt).toBeGreaterThan(0.8 * F - R - 30);
    table.resume();
  });

  test('transient failures are retried; the lease survives when the store recovers in time', async () => {
    const { table, handle, errors, lost } = await setup();
    // The in-memory store has the batch renewal: one renewLeases call per tick.
    table.failNext('renewLeases', new LeaseStoreUnavailableError('blip'), { times: 2 });
    await new Promise((r) => setTimeout(r, 3 * R));
    expect(errors).toHaveLength(2);
    expect(lost).toEqual([]);
    expect(handle.isValid()).toBe(true);
  });

  test('a claim by another worker seen on renewal requests a hand-off', async () => {
    const { table, handle } = await setup();
    expect(handle.handoffRequested).toBe(false);
    const claimer = new InMemoryCheckpointer(table, { workerId: 'claimer' });
    await claimer.claimShard(table.get('shard-1') as ShardStatus, 'claimer');
    await waitFor(() => handle.handoffRequested, 'hand-off request', 1_000);
    expect(handle.shard.claimRequest).toBe('claimer');
    expect(handle.isValid()).toBe(true);
  });

  test('untrack stops renewing', async () => {
    const { table, renewer } = await setup();
    renewer.untrack('shard-1');
    const counter = table.get('shard-1')!.leaseCounter;
    await new Promise((r) => setTimeout(r, 3 * R));
    expect(table.get('shard-1')!.leaseCounter).toBe(counter);
    expect(renewer.trackedIds()).toEqual([]);
  });

  function many(store: Checkpointer & Partial<Pick<Checkpointer, 'renewLeases'>>, table: InMemoryLeaseTable) {
    const timing = computeLeaseTiming(F, R);
    const lost: Array<{ shardId: string; reason: LeaseLostReason }> = [];
    const renewer = new LeaseRenewer({
      checkpointer: store,
      workerId: 'me',
      timing,
      clock: () => performance.now(),
      logger: new RecordingLogger(),
      monitoring: new CountingMonitoring(),
      onLost: (h, reason) => lost.push({ shardId: h.shardId, reason }),
      onError: () => undefined,
    });
    running.push(renewer);
    const track = async (count: number): Promise<HeldLease[]> => {
      const shards = Array.from({ length: count }, (_, i) => createShardStatus(`shard-${String(i).padStart(4, '0')}`));
      const startedAt = performance.now();
      await Promise.all(shards.map((shard) => takeOrRenewLease(store, shard, 'me')));
      const handles = shards.map((shard) => new HeldLease(shard, startedAt, timing.validityMillis, () => performance.now(), 'me'));
      for (const h of handles) renewer.track(h);
      return handles;
    };
    return { renewer, lost, track, table };
  }

  test('1,000 leases: each tick renews every due lease in renewLeases calls of at most RENEW_BATCH_MAX, each lease kept valid', async () => {
    const table = new InMemoryLeaseTable();
    const inner = new InMemoryCheckpointer(table, { workerId: 'me', failoverTimeMillis: F });
    const sizes: number[] = [];
    const store = new Proxy(inner, {
      get: (target, property) =>
        property === 'renewLeases'
          ? (shards: ShardStatus[], workerId: string) => {
              sizes.push(shards.length);
              return target.renewLeases(shards, workerId);
            }
          : (Reflect.get(target, property, target) as unknown),
    }) as Checkpointer;
    const { track, lost } = many(store, table);
    const handles = await track(1_000);
    const perTick = Math.ceil(1_000 / RENEW_BATCH_MAX);
    await waitFor(() => sizes.length >= 3 * perTick, 'three renewal ticks', 5_000);
    // Taken together, so due together: every tick renews all 1,000, split into calls of at most RENEW_BATCH_MAX.
    expect(Math.max(...sizes)).toBe(RENEW_BATCH_MAX);
    expect(sizes.slice(0, 3 * perTick).reduce((a, b) => a + b, 0)).toBe(3_000);
    const counters = table.list().map((l) => l.leaseCounter);
    expect(Math.min(...counters)).toBeGreaterThanOrEqual(4);
    expect(table.callCount('takeLease')).toBe(1_000);
    expect(table.callCount('renewLease')).toBe(0); // no per-lease renewal
    expect(handles.every((h) => h.isValid())).toBe(true);
    expect(lost).toEqual([]);
  });

  test('per-lease results: a lease taken by another worker is lost, the others in the same call are renewed', async () => {
    const table = new InMemoryLeaseTable();
    const { track, lost } = many(new InMemoryCheckpointer(table, { workerId: 'me', failoverTimeMillis: F }), table);
    const handles = await track(3);
    const thief = new InMemoryCheckpointer(table, { workerId: 'thief' });
    await takeOrRenewLease(thief, table.get('shard-0001') as ShardStatus, 'thief');
    await waitFor(() => lost.length === 1, 'the stolen lease lost', 2_000);
    expect(lost).toEqual([{ shardId: 'shard-0001', reason: 'taken' }]);
    const counters = [0, 2].map((i) => table.get(`shard-000${i}`)!.leaseCounter);
    await waitFor(() => [0, 2].every((i, k) => table.get(`shard-000${i}`)!.leaseCounter > counters[k]!), 'the others renewed', 2_000);
    expect([handles[0]!.isValid(), handles[2]!.isValid()]).toEqual([true, true]);
  });

  test('a store without renewLeases: one renewLease per due lease', async () => {
    const table = new InMemoryLeaseTable();
    const inner = new InMemoryCheckpointer(table, { workerId: 'me', failoverTimeMillis: F });
    const withoutBatch = new Proxy(inner, {
      get: (target, property) => (property === 'renewLeases' ? undefined : Reflect.get(target, property, target)),
    }) as Checkpointer;
    const { track, lost } = many(withoutBatch, table);
    await track(5);
    await waitFor(() => table.callCount('renewLease') >= 10, 'two rounds of renewals', 2_000);
    expect(table.callCount('renewLeases')).toBe(0);
    expect(lost).toEqual([]);
  });

  test('a store without renewLeases: at most LEASE_WRITE_CONCURRENCY per-lease renewals in flight', async () => {
    const table = new InMemoryLeaseTable();
    const inner = new InMemoryCheckpointer(table, { workerId: 'me', failoverTimeMillis: F });
    const gauge = new InFlightGauge();
    const withoutBatch = new Proxy(inner, {
      get: (target, property) => {
        if (property === 'renewLeases') return undefined;
        if (property === 'renewLease') return (shard: ShardStatus, owner: string) => gauge.track(target.renewLease(shard, owner));
        return Reflect.get(target, property, target);
      },
    }) as Checkpointer;
    const { track, lost } = many(withoutBatch, table);
    await track(300);
    gauge.reset(); // the takes in track() are not the renewer's
    table.setLatency(2);
    await waitFor(() => gauge.calls >= 300, 'one round of renewals', 5_000);
    expect(gauge.max).toBe(LEASE_WRITE_CONCURRENCY);
    expect(lost).toEqual([]);
  });
});

import { deriveSeed, Prng } from '../src/prng';
import { countByKind, generateSchedule, kinesisWindows, type ScheduleShape } from '../src/schedule';

const FULL: ScheduleShape = {
  seed: 42,
  windowMs: 150_000,
  workers: 4,
  backend: 'redis',
  failoverMillis: 3_000,
  kills: 12,
  pauses: 2,
  storeFaultsPerKind: 2,
  kinesisWindowsPerKind: 2,
};

describe('Prng', () => {
  test('the same seed gives the same sequence; another seed another one', () => {
    const a = new Prng(7);
    const b = new Prng(7);
    const c = new Prng(8);
    const seqA = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 50 }, () => c.next())).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });

  test('int() stays in range and hits both ends; derive() gives independent, stable streams', () => {
    const prng = new Prng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1_000; i++) seen.add(prng.int(3, 6));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    expect(deriveSeed(1, 'a')).toBe(deriveSeed(1, 'a'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(2, 'a'));
    expect(new Prng(1).derive('x').next()).toBe(new Prng(1).derive('x').next());
  });
});

describe('generateSchedule', () => {
  test('same seed -> same schedule; another seed -> another schedule', () => {
    expect(generateSchedule(FULL)).toEqual(generateSchedule({ ...FULL }));
    expect(JSON.stringify(generateSchedule({ ...FULL, seed: 43 }).faults)).not.toEqual(JSON.stringify(generateSchedule(FULL).faults));
  });

  test('a full run has every fault kind, at least 10 kills, all inside the window and sorted', () => {
    const schedule = generateSchedule(FULL);
    const counts = countByKind(schedule.faults);
    expect(counts).toEqual({
      kill: 12,
      pause: 2,
      split: 1,
      merge: 1,
      'redis-restart': 2,
      'store-partition': 2,
      'store-reset': 2,
      'store-latency': 2,
      'kinesis-throttle': 2,
      'kinesis-expired-iterator': 2,
      'kinesis-5xx': 2,
    });
    const times = schedule.faults.map((f) => f.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const f of schedule.faults) {
      expect(f.at).toBeGreaterThan(0);
      expect(f.at).toBeLessThan(FULL.windowMs);
      if (f.worker !== undefined) expect(f.worker).toBeLessThan(FULL.workers);
    }
    for (const pause of schedule.faults.filter((f) => f.kind === 'pause')) expect(pause.durationMs).toBeGreaterThan(FULL.failoverMillis);
    expect(schedule.processorThrowRate).toBeGreaterThan(0);
  });

  test('process faults get one slot each and do not start at the same time', () => {
    const process = generateSchedule(FULL).faults.filter((f) => f.kind === 'kill' || f.kind === 'pause');
    for (let i = 1; i < process.length; i++) expect(process[i]!.at - process[i - 1]!.at).toBeGreaterThan(1_000);
  });

  test('no Redis restart on DynamoDB or a Redis cluster; the other store faults still happen', () => {
    for (const backend of ['dynamodb', 'redis-cluster'] as const) {
      const counts = countByKind(generateSchedule({ ...FULL, backend }).faults);
      expect(counts['redis-restart']).toBeUndefined();
      expect(counts['store-partition']).toBe(2);
    }
  });

  test('changing the number of kills does not move the reshards or the Kinesis windows (independent streams)', () => {
    const a = generateSchedule(FULL).faults.filter((f) => f.kind === 'split' || f.kind.startsWith('kinesis'));
    const b = generateSchedule({ ...FULL, kills: 3 }).faults.filter((f) => f.kind === 'split' || f.kind.startsWith('kinesis'));
    expect(b).toEqual(a);
  });

  test('Kinesis windows apply to every worker: each has a duration and a failure rate', () => {
    const windows = kinesisWindows(generateSchedule(FULL));
    expect(windows).toHaveLength(6);
    for (const w of windows) {
      expect(w.worker).toBeUndefined();
      expect(w.durationMs).toBeGreaterThanOrEqual(2_000);
      expect(w.rate).toBeGreaterThan(0);
    }
  });
});

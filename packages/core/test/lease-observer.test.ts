import { createShardStatus, type ShardStatus } from '../src/checkpoint/shard-status';
import { ConfigError } from '../src/errors';
import { LeaseObserver } from '../src/leases/lease-observer';
import { systemMonotonicClock } from '../src/leases/monotonic-clock';

function fakeClock(start = 1000) {
  let now = start;
  return {
    clock: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

const lease = (id: string, leaseCounter: number, assignedTo?: string): ShardStatus => createShardStatus(id, { leaseCounter, assignedTo });

describe('LeaseObserver', () => {
  it('does not expire a never-before-seen owned lease, expires it once its counter is still for the failover time', () => {
    const t = fakeClock();
    const observer = new LeaseObserver({ failoverTimeMillis: 100, clock: t.clock });
    observer.observe([lease('s1', 7, 'a')]);
    expect(observer.isExpired('s1')).toBe(false);
    t.advance(100);
    observer.observe([lease('s1', 7, 'a')]);
    expect(observer.isExpired('s1')).toBe(false); // exactly the failover time: not more than it
    expect(observer.millisUntilExpiry('s1')).toBe(0);
    t.advance(1);
    expect(observer.isExpired('s1')).toBe(true);
    expect(observer.observedCounter('s1')).toBe(7);
  });

  it('restarts the observation whenever the counter moves (owner renewing)', () => {
    const t = fakeClock();
    const observer = new LeaseObserver({ failoverTimeMillis: 100, clock: t.clock });
    for (let counter = 1; counter <= 10; counter += 1) {
      observer.observe([lease('s1', counter, 'a')]);
      t.advance(60);
      expect(observer.isExpired('s1')).toBe(false);
    }
    expect(observer.millisUntilExpiry('s1')).toBe(40);
    t.advance(41);
    expect(observer.isExpired('s1')).toBe(true);
  });

  it('restarts the observation when the owner changes at the same counter', () => {
    const t = fakeClock();
    const observer = new LeaseObserver({ failoverTimeMillis: 100, clock: t.clock });
    observer.observe([lease('s1', 3, 'a')]);
    t.advance(150);
    expect(observer.isExpired('s1')).toBe(true);
    observer.observe([lease('s1', 3, 'b')]);
    expect(observer.isExpired('s1')).toBe(false);
  });

  it('treats an unowned lease as expired at once', () => {
    const t = fakeClock();
    const observer = new LeaseObserver({ failoverTimeMillis: 100, clock: t.clock });
    observer.observe([lease('free', 4), lease('held', 4, 'a')]);
    expect(observer.isExpired('free')).toBe(true);
    expect(observer.millisUntilExpiry('free')).toBe(0);
    expect(observer.isExpired('held')).toBe(false);
    expect(observer.millisUntilExpiry('held')).toBe(100);
  });

  it('knows nothing about unobserved shards and forgets on request', () => {
    const t = fakeClock();
    const observer = new LeaseObserver({ failoverTimeMillis: 100, clock: t.clock });
    expect(observer.isExpired('x')).toBe(false);
    expect(observer.millisUntilExpiry('x')).toBeUndefined();
    observer.observe([lease('x', 1, 'a'), lease('y', 1, 'a')]);
    t.advance(500);
    expect(observer.isExpired('x')).toBe(true);
    observer.forget('x');
    expect(observer.isExpired('x')).toBe(false);
    expect(observer.observedCounter('x')).toBeUndefined();
    expect(observer.size).toBe(1);
    // observed again after forgetting: a fresh observation, not expired
    observer.observe([lease('x', 1, 'a')]);
    expect(observer.isExpired('x')).toBe(false);
    observer.clear();
    expect(observer.size).toBe(0);
  });

  it('ignores wall-clock time entirely (leaseTimeout in the past does not expire a lease)', () => {
    const t = fakeClock();
    const observer = new LeaseObserver({ failoverTimeMillis: 100, clock: t.clock });
    observer.observe([createShardStatus('s', { leaseCounter: 2, assignedTo: 'a', leaseTimeout: new Date(0) })]);
    expect(observer.isExpired('s')).toBe(false);
  });

  it('validates failoverTimeMillis', () => {
    expect(() => new LeaseObserver({ failoverTimeMillis: 0 })).toThrow(ConfigError);
    expect(() => new LeaseObserver({ failoverTimeMillis: Number.NaN })).toThrow(ConfigError);
    expect(() => new LeaseObserver({ failoverTimeMillis: -5 })).toThrow(/failoverTimeMillis/);
  });

  it('uses the process monotonic clock by default', async () => {
    const a = systemMonotonicClock();
    await new Promise((r) => setTimeout(r, 5));
    expect(systemMonotonicClock()).toBeGreaterThan(a);
    const observer = new LeaseObserver({ failoverTimeMillis: 20 });
    observer.observe([lease('s', 1, 'a')]);
    expect(observer.isExpired('s')).toBe(false);
    await new Promise((r) => setTimeout(r, 40));
    expect(observer.isExpired('s')).toBe(true);
  });
});

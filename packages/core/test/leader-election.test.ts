/**
 * LeaderElection on the in-memory store with a fake monotonic clock: one leader at a time, takeover only after the
 * failover time unchanged on the reader's clock, a leader paused past its validity stops acting as leader, and the
 * hand-over rules that let the next leader take the old leader's leases at once (inheritedFrom / coolingDown).
 */
import { LeaderElection, type DeposeReason } from '../src/leases/leader-election';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../src/testing';
import { RecordingLogger } from './helpers/consumer-recorders';

const F = 1_000;
const VALIDITY = 800;

function setup(table: InMemoryLeaseTable, workerId: string, clock: { now: number }) {
  const deposed: DeposeReason[] = [];
  let elected = 0;
  const election = new LeaderElection({
    checkpointer: new InMemoryCheckpointer(table, { workerId, failoverTimeMillis: F }),
    workerId,
    clock: () => clock.now,
    logger: new RecordingLogger(),
    failoverTimeMillis: F,
    validityMillis: VALIDITY,
    onElected: () => {
      elected += 1;
    },
    onDeposed: (reason) => deposed.push(reason),
  });
  return { election, deposed, elected: () => elected };
}

describe('LeaderElection', () => {
  const clock = { now: 0 };
  const parts: Array<ReturnType<typeof setup>> = [];
  const make = (table: InMemoryLeaseTable, id: string) => {
    const p = setup(table, id, clock);
    parts.push(p);
    return p;
  };
  beforeEach(() => {
    clock.now = 0;
  });
  afterEach(() => {
    for (const p of parts.splice(0)) p.election.stop();
  });

  test('exactly one of several workers becomes the leader, and stays it while it renews', async () => {
    const table = new InMemoryLeaseTable();
    const workers = ['a', 'b', 'c'].map((id) => make(table, id));
    for (let round = 0; round < 10; round++) {
      await Promise.all(workers.map((w) => w.election.tick()));
      expect(workers.filter((w) => w.election.isLeader())).toHaveLength(1);
      clock.now += 300;
    }
    expect(workers.map((w) => w.elected())).toEqual([1, 0, 0]);
  });

  test('a dead leader is replaced once its record has not moved for the failover time, not before', async () => {
    const table = new InMemoryLeaseTable();
    const a = make(table, 'a');
    const b = make(table, 'b');
    await a.election.tick();
    await b.election.tick(); // b first sees a's counter at t = 0
    expect(a.election.isLeader()).toBe(true);
    // a dies (no more ticks). b keeps looking every 300 ms.
    while (clock.now <= F) {
      clock.now += 300;
      await b.election.tick();
      if (clock.now <= F) expect(b.election.isLeader()).toBe(false);
    }
    expect(b.election.isLeader()).toBe(true);
    expect(clock.now).toBeLessThanOrEqual(F + 300);
    // b took it from an expired leader: a's leases may be taken at once, during one validity window.
    expect(b.election.inheritedFrom()).toEqual({ workerId: 'a', until: clock.now + VALIDITY });
    clock.now += VALIDITY;
    expect(b.election.inheritedFrom()).toBeUndefined();
  });

  test('a leader paused past its validity stops acting as leader, gives up, and cools down before acquiring again', async () => {
    const table = new InMemoryLeaseTable();
    const a = make(table, 'a');
    const b = make(table, 'b');
    await a.election.tick();
    await b.election.tick();
    clock.now += VALIDITY; // a is paused: no renewal for its whole validity
    expect(a.election.roleIntact()).toBe(false);
    expect(a.election.isLeader()).toBe(false);
    expect(a.deposed).toEqual(['expired']);
    expect(a.election.coolingDown()).toBe(true);
    // b takes over after the failover time; a, resumed, sees the role change hands and waits one more failover time.
    clock.now = F + 1;
    await b.election.tick();
    expect(b.election.isLeader()).toBe(true);
    await a.election.tick();
    expect(a.election.isLeader()).toBe(false);
    expect(a.election.coolingDown()).toBe(true);
    clock.now += F;
    expect(a.election.coolingDown()).toBe(false);
  });

  test('a deposed leader whose last renewal lands late (its counter moves, still its own) cools down until another worker takes the role', async () => {
    const table = new InMemoryLeaseTable();
    const a = make(table, 'a');
    const b = make(table, 'b');
    await a.election.tick();
    await b.election.tick();
    const stored = await new InMemoryCheckpointer(table, { workerId: 'x' }).getCoordinatorLease();
    clock.now += VALIDITY; // a's renewal is held by a partition for its whole validity
    expect(a.election.isLeader()).toBe(false);
    expect(a.election.coolingDown()).toBe(true);
    clock.now += 100; // the partition heals: the held renewal lands, the role is still a's in the store
    await new InMemoryCheckpointer(table, { workerId: 'a', failoverTimeMillis: F }).renewCoordinatorLease('a', stored!.leaseToken!);
    await a.election.tick();
    await b.election.tick(); // b sees the counter move and starts its failover time again
    clock.now += F + 1;
    // Nobody took the role yet: a must still acquire nothing, or b, taking the role now, would inherit its leases.
    expect(a.election.coolingDown()).toBe(true);
    await b.election.tick();
    expect(b.election.isLeader()).toBe(true);
    expect(b.election.inheritedFrom()?.workerId).toBe('a');
    await a.election.tick(); // a sees the role change hands: one more failover time
    expect(a.election.coolingDown()).toBe(true);
    clock.now += F;
    expect(a.election.coolingDown()).toBe(false);
  });

  test('a renewal that finds another owner deposes the leader (taken)', async () => {
    const table = new InMemoryLeaseTable();
    const a = make(table, 'a');
    await a.election.tick();
    const other = new InMemoryCheckpointer(table, { workerId: 'x' });
    const current = await other.getCoordinatorLease();
    await other.takeCoordinatorLease('x', current!.leaseCounter);
    await a.election.tick();
    expect(a.election.isLeader()).toBe(false);
    expect(a.deposed).toEqual(['taken']);
    expect(a.election.coolingDown()).toBe(true);
  });

  test('a released role is taken at once by the next worker, without inheriting anything', async () => {
    const table = new InMemoryLeaseTable();
    const a = make(table, 'a');
    const b = make(table, 'b');
    await a.election.tick();
    await b.election.tick();
    await a.election.release();
    expect(a.deposed).toEqual(['released']);
    expect(a.election.coolingDown()).toBe(false);
    await b.election.tick();
    expect(b.election.isLeader()).toBe(true);
    expect(b.election.inheritedFrom()).toBeUndefined();
  });

  test('a restarted process finds the role under its own id: it waits like anyone else and cools down meanwhile', async () => {
    const table = new InMemoryLeaseTable();
    const old = make(table, 'a');
    await old.election.tick();
    old.election.stop(); // the old process is gone
    const restarted = make(table, 'a');
    await restarted.election.tick();
    expect(restarted.election.isLeader()).toBe(false);
    expect(restarted.election.coolingDown()).toBe(true);
    clock.now = F + 1;
    await restarted.election.tick();
    expect(restarted.election.isLeader()).toBe(true);
    expect(restarted.election.coolingDown()).toBe(false);
    expect(restarted.election.inheritedFrom()).toBeUndefined(); // its own former role: nothing to inherit
  });
});

import { takeOrRenewLease } from '../src/checkpoint/lease-transitions';
import { InvalidArgumentError, LeaseLostError, LeaseNotAcquiredError, LeaseStoreUnavailableError } from '../src/errors';
import { SHARD_END, createShardStatus } from '../src/checkpoint/shard-status';
import { COORDINATOR_LEASE_ID } from '../src/checkpoint/coordination';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../src/testing';

function setup() {
  const table = new InMemoryLeaseTable('coordination');
  return { table, a: new InMemoryCheckpointer(table, { workerId: 'a' }), b: new InMemoryCheckpointer(table, { workerId: 'b' }) };
}

describe('InMemoryCheckpointer fleet coordination', () => {
  it('counts heartbeats per worker, lists and removes them, apart from the leases', async () => {
    const { table, a, b } = setup();
    await a.heartbeat('a');
    await a.heartbeat('a');
    await b.heartbeat('b');
    expect((await b.listWorkers()).sort((x, y) => x.workerId.localeCompare(y.workerId))).toEqual([
      { workerId: 'a', counter: 2 },
      { workerId: 'b', counter: 1 },
    ]);
    expect(table.workers()).toEqual([
      { workerId: 'a', counter: 2 },
      { workerId: 'b', counter: 1 },
    ]);
    await b.removeWorker('a');
    await b.removeWorker('never-there');
    expect(await a.listWorkers()).toEqual([{ workerId: 'b', counter: 1 }]);
    expect(await a.listLeases()).toEqual([]);
    await expect(a.heartbeat('')).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('takes the coordinator lease at the observed counter, renews and releases it fenced by owner and token', async () => {
    const { table, a, b } = setup();
    expect(await a.getCoordinatorLease()).toBeUndefined();
    await expect(a.takeCoordinatorLease('a', 1)).rejects.toBeInstanceOf(LeaseNotAcquiredError);
    const taken = await a.takeCoordinatorLease('a', 0);
    expect(taken).toMatchObject({ assignedTo: 'a', leaseCounter: 1, leaseToken: expect.any(String) });
    const stale = b.takeCoordinatorLease('b', 0);
    await expect(stale).rejects.toMatchObject({ code: 'LEASE_NOT_ACQUIRED', shardId: COORDINATOR_LEASE_ID });
    const renewed = await a.renewCoordinatorLease('a', taken.leaseToken!);
    expect(renewed).toEqual({ assignedTo: 'a', leaseCounter: 2, leaseToken: taken.leaseToken });
    await expect(b.renewCoordinatorLease('b', taken.leaseToken!)).rejects.toBeInstanceOf(LeaseLostError);
    const takenByB = await b.takeCoordinatorLease('b', 2);
    expect(takenByB.leaseToken).not.toBe(taken.leaseToken);
    await expect(a.renewCoordinatorLease('a', taken.leaseToken!)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(a.releaseCoordinatorLease('a', taken.leaseToken!)).rejects.toBeInstanceOf(LeaseLostError);
    expect(table.coordinatorLease).toEqual(takenByB);
    await b.releaseCoordinatorLease('b', takenByB.leaseToken!);
    expect(await a.getCoordinatorLease()).toEqual({ assignedTo: undefined, leaseCounter: 4, leaseToken: undefined });
    await a.releaseCoordinatorLease('a', 'whatever'); // unowned: a no-op
    expect((await a.takeCoordinatorLease('a', 4)).leaseCounter).toBe(5);
    await expect(a.takeCoordinatorLease('a', -1)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('lists owned leases and transfers a lease fenced by owner and token, never at SHARD_END', async () => {
    const { a, b } = setup();
    const one = createShardStatus('s1');
    const two = createShardStatus('s2');
    await takeOrRenewLease(a, one, 'a');
    await takeOrRenewLease(a, two, 'a');
    await b.claimShard(createShardStatus('s1', { assignedTo: 'a' }), 'b');
    expect((await b.listOwnedLeases('a')).sort((x, y) => x.shardId.localeCompare(y.shardId))).toEqual([
      { shardId: 's1', leaseCounter: 1 },
      { shardId: 's2', leaseCounter: 1 },
    ]);
    await expect(a.transferLease('s1', 'stale-token', 'a', 'b')).rejects.toBeInstanceOf(LeaseLostError);
    await expect(b.transferLease('s1', one.leaseToken!, 'c', 'b')).rejects.toBeInstanceOf(LeaseLostError);
    await expect(a.transferLease('nope', one.leaseToken!, 'a', 'b')).rejects.toBeInstanceOf(LeaseLostError);
    await expect(a.transferLease('s1', one.leaseToken!, 'a', 'a')).rejects.toBeInstanceOf(InvalidArgumentError);
    const moved = await a.transferLease('s1', one.leaseToken!, 'a', 'b');
    expect(moved).toMatchObject({ id: 's1', assignedTo: 'b', leaseCounter: 2, claimRequest: undefined });
    expect(moved.leaseToken).not.toBe(one.leaseToken);
    expect(await a.listOwnedLeases('a')).toEqual([{ shardId: 's2', leaseCounter: 1 }]);
    expect(await a.listOwnedLeases('b')).toEqual([{ shardId: 's1', leaseCounter: 2 }]);
    await expect(takeOrRenewLease(a, one, 'a')).rejects.toBeInstanceOf(LeaseLostError);
    two.checkpoint = SHARD_END;
    await a.checkpointSequence(two);
    await expect(a.transferLease('s2', two.leaseToken!, 'a', 'b')).rejects.toBeInstanceOf(LeaseNotAcquiredError);
    expect(await a.getLeaseOwner('s2')).toBe('a');
  });

  it('renews many leases in one call with one result per lease', async () => {
    const { table, a, b } = setup();
    const shards = ['s1', 's2', 's3'].map((id) => createShardStatus(id));
    for (const shard of shards) await takeOrRenewLease(a, shard, 'a');
    await takeOrRenewLease(b, createShardStatus('s2', { leaseCounter: 1 }), 'b');
    const results = await a.renewLeases(shards, 'a');
    expect(results[0]).toBe(shards[0]);
    expect(results[1]).toBeInstanceOf(LeaseLostError);
    expect(results[2]).toBe(shards[2]);
    expect(shards.map((s) => s.leaseCounter)).toEqual([2, 1, 2]);
    expect(table.get('s2')).toMatchObject({ assignedTo: 'b', leaseCounter: 2 });
    table.failNext('renewLeases', new LeaseStoreUnavailableError('boom'));
    await expect(a.renewLeases(shards, 'a')).rejects.toBeInstanceOf(LeaseStoreUnavailableError);
    expect(table.callCount('renewLeases')).toBe(2);
  });
});

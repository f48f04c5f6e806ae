// The lease protocol against dynalite: each transition's condition, its typed error, and what is stored.
import { takeOrRenewLease } from '@kcl/core';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  createShardStatus,
  InvalidArgumentError,
  LeaseLostError,
  LeaseNotAcquiredError,
  NoLeaseOwnerError,
  SequenceNotFoundError,
  SHARD_END,
  ShardClaimedError,
} from '@kcl/core';
import type { ShardStatus } from '@kcl/core';
import { randomName, useDynalite } from '@kcl/testbed';
import type { DynamoCheckpoint } from '../src';
import { closeAll, openCheckpointer } from './helpers';

const dynalite = useDynalite();
let a: DynamoCheckpoint;
let b: DynamoCheckpoint;
let tableName: string;

beforeEach(async () => {
  tableName = randomName('ops');
  a = await openCheckpointer(dynalite.endpoint(), { tableName, workerId: 'worker-a' });
  b = await openCheckpointer(dynalite.endpoint(), { tableName, workerId: 'worker-b' });
});
afterEach(closeAll);

async function row(shardId: string) {
  const out = await dynalite.client().send(new GetItemCommand({ TableName: tableName, Key: { ShardID: { S: shardId } }, ConsistentRead: true }));
  return out.Item;
}

/** A worker's fresh view of a lease (what the lease taker sees after listing). */
async function observe(checkpointer: DynamoCheckpoint, shardId: string): Promise<ShardStatus> {
  const found = (await checkpointer.listLeases()).find((l) => l.id === shardId);
  if (!found) throw new Error(`no lease ${shardId}`);
  return found;
}

test('take of a new lease creates the row with owner, token, counter 1, parents and an RFC 3339 LeaseTimeout', async () => {
  const shard = createShardStatus('shardId-000000000002', { parentShardIds: ['shardId-000000000000', 'shardId-000000000001'] });
  const before = Date.now();
  await takeOrRenewLease(a, shard, 'worker-a');
  expect(shard).toMatchObject({ assignedTo: 'worker-a', leaseCounter: 1, parentShardId: 'shardId-000000000000' });
  expect(shard.leaseToken).toMatch(/^[0-9a-f-]{36}$/);
  expect(shard.leaseTimeout!.getTime()).toBeGreaterThanOrEqual(before + 1_000 - 5);
  const item = await row(shard.id);
  expect(item).toMatchObject({
    ShardID: { S: shard.id },
    AssignedTo: { S: 'worker-a' },
    LeaseCounter: { N: '1' },
    LeaseToken: { S: shard.leaseToken },
    ParentShardId: { S: 'shardId-000000000000' },
    ParentShardIds: { L: [{ S: 'shardId-000000000000' }, { S: 'shardId-000000000001' }] },
  });
  expect(item?.LeaseTimeout?.S).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(item?.Checkpoint).toBeUndefined();
});

test('two workers racing for a new lease: exactly one wins, the other gets LeaseNotAcquiredError', async () => {
  const results = await Promise.allSettled([
    takeOrRenewLease(a, createShardStatus('s-race'), 'worker-a'),
    takeOrRenewLease(b, createShardStatus('s-race'), 'worker-b'),
  ]);
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  expect(loser.reason).toBeInstanceOf(LeaseNotAcquiredError);
  expect((await row('s-race'))?.LeaseCounter).toEqual({ N: '1' });
});

test('take at the observed counter succeeds (expiry); a stale counter fails and leaves the row alone', async () => {
  const mine = createShardStatus('s-1');
  await takeOrRenewLease(a, mine, 'worker-a');
  const seenByB = await observe(b, 's-1');
  expect(seenByB.leaseCounter).toBe(1);
  await takeOrRenewLease(a, mine, 'worker-a'); // renewal moves the counter to 2
  const stale = { ...seenByB };
  await expect(takeOrRenewLease(b, stale, 'worker-b')).rejects.toThrow(/counter is 2, not the observed 1; held by worker-a/);
  expect((await row('s-1'))?.AssignedTo).toEqual({ S: 'worker-a' });

  const fresh = await observe(b, 's-1');
  await takeOrRenewLease(b, fresh, 'worker-b');
  expect(fresh).toMatchObject({ assignedTo: 'worker-b', leaseCounter: 3 });
  expect(fresh.leaseToken).not.toBe(mine.leaseToken);
});

test('renew increments the counter and keeps token and claim; renewing a lost lease throws LeaseLostError', async () => {
  const mine = createShardStatus('s-renew');
  await takeOrRenewLease(a, mine, 'worker-a');
  const token = mine.leaseToken;
  await b.claimShard(await observe(b, 's-renew'), 'worker-b');
  await takeOrRenewLease(a, mine, 'worker-a');
  expect(mine).toMatchObject({ leaseCounter: 2, leaseToken: token, claimRequest: 'worker-b', assignedTo: 'worker-a' });

  await takeOrRenewLease(b, await observe(b, 's-renew'), 'worker-b'); // taken over (as after expiry)
  const error = await takeOrRenewLease(a, mine, 'worker-a').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LeaseLostError);
  expect((error as Error).message).toContain('now held by worker-b');
  expect((await row('s-renew'))?.AssignedTo).toEqual({ S: 'worker-b' });
});

test('a worker that lost a lease can never overwrite the new owner checkpoint, even after re-taking it', async () => {
  const old = createShardStatus('s-cp');
  await takeOrRenewLease(a, old, 'worker-a');
  old.checkpoint = '100';
  await a.checkpointSequence(old);

  const taken = await observe(b, 's-cp');
  await takeOrRenewLease(b, taken, 'worker-b');
  taken.checkpoint = '200';
  await b.checkpointSequence(taken);

  old.checkpoint = '150';
  const error = await a.checkpointSequence(old).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LeaseLostError);
  expect((error as Error).message).toMatch(/now held by worker-b; the checkpoint was NOT written/);
  expect((await row('s-cp'))?.Checkpoint).toEqual({ S: '200' });

  // worker-a re-takes the lease later: its old tenure (token) still cannot write.
  await b.removeLeaseOwner('s-cp', taken.leaseToken!);
  const again = await observe(a, 's-cp');
  await takeOrRenewLease(a, again, 'worker-a');
  await expect(a.checkpointSequence(old)).rejects.toThrow(/re-taken since/);
  expect((await row('s-cp'))?.Checkpoint).toEqual({ S: '200' });
});

test('checkpoint stores sequence and sub-sequence numbers without touching the counter; fetchCheckpoint reads them', async () => {
  const shard = createShardStatus('s-sub');
  await takeOrRenewLease(a, shard, 'worker-a');
  shard.checkpoint = '49590338271490256608559692538361571095921575989136588898';
  shard.subSequenceNumber = 3;
  await a.checkpointSequence(shard);
  expect((await row('s-sub'))?.LeaseCounter).toEqual({ N: '1' });

  const read = createShardStatus('s-sub');
  await b.fetchCheckpoint(read);
  expect(read).toMatchObject({ checkpoint: shard.checkpoint, subSequenceNumber: 3, assignedTo: 'worker-a', leaseCounter: 1 });

  shard.subSequenceNumber = undefined;
  await a.checkpointSequence(shard);
  await b.fetchCheckpoint(read);
  expect(read.subSequenceNumber).toBeUndefined();
  expect((await row('s-sub'))?.SubSequenceNumber).toBeUndefined();
});

test('checkpointSequence rejects bad input before writing', async () => {
  const shard = createShardStatus('s-bad');
  await expect(a.checkpointSequence(shard)).rejects.toBeInstanceOf(InvalidArgumentError);
  shard.checkpoint = '1';
  await expect(a.checkpointSequence(shard)).rejects.toBeInstanceOf(LeaseLostError); // never leased
  await takeOrRenewLease(a, shard, 'worker-a');
  shard.subSequenceNumber = -1;
  await expect(a.checkpointSequence(shard)).rejects.toBeInstanceOf(InvalidArgumentError);
  expect((await row('s-bad'))?.Checkpoint).toBeUndefined();
});

test('fetchCheckpoint: SequenceNotFoundError for no lease, and for a lease without checkpoint (fields still filled)', async () => {
  await expect(a.fetchCheckpoint(createShardStatus('nothing'))).rejects.toBeInstanceOf(SequenceNotFoundError);
  await takeOrRenewLease(a, createShardStatus('s-nocp'), 'worker-a');
  const read = createShardStatus('s-nocp');
  await expect(b.fetchCheckpoint(read)).rejects.toBeInstanceOf(SequenceNotFoundError);
  expect(read).toMatchObject({ assignedTo: 'worker-a', leaseCounter: 1 });
});

test('a lease at SHARD_END is never taken again', async () => {
  const shard = createShardStatus('s-end');
  await takeOrRenewLease(a, shard, 'worker-a');
  shard.checkpoint = SHARD_END;
  await a.checkpointSequence(shard);
  await a.removeLeaseOwner('s-end', shard.leaseToken!);
  const seen = await observe(b, 's-end');
  const error = await takeOrRenewLease(b, seen, 'worker-b').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LeaseNotAcquiredError);
  expect((error as Error).message).toContain('SHARD_END');
  expect((await row('s-end'))?.AssignedTo).toBeUndefined();
});

test('take with a non-zero observed counter of a deleted lease fails instead of re-creating it', async () => {
  const finished = createShardStatus('s-del');
  await takeOrRenewLease(a, finished, 'worker-a');
  finished.checkpoint = SHARD_END;
  await a.checkpointSequence(finished);
  const seen = await observe(b, 's-del');
  await a.removeLeaseInfo('s-del');
  await expect(takeOrRenewLease(b, seen, 'worker-b')).rejects.toThrow(/no longer exists/);
  expect(await row('s-del')).toBeUndefined();
  await a.removeLeaseInfo('s-del'); // absent: no error
});

test('removeLeaseOwner: releases own lease (counter + 1, checkpoint and claim kept), LeaseLostError for another owner, no-op when unowned', async () => {
  const shard = createShardStatus('s-rel');
  await takeOrRenewLease(a, shard, 'worker-a');
  shard.checkpoint = '42';
  await a.checkpointSequence(shard);
  await b.claimShard(await observe(b, 's-rel'), 'worker-b');

  await expect(b.removeLeaseOwner('s-rel', shard.leaseToken!)).rejects.toBeInstanceOf(LeaseLostError);
  await a.removeLeaseOwner('s-rel', shard.leaseToken!);
  const item = await row('s-rel');
  expect(item).toMatchObject({ LeaseCounter: { N: '2' }, Checkpoint: { S: '42' }, ClaimRequest: { S: 'worker-b' } });
  expect(item?.AssignedTo).toBeUndefined();
  expect(item?.LeaseToken).toBeUndefined();
  await expect(a.getLeaseOwner('s-rel')).rejects.toBeInstanceOf(NoLeaseOwnerError);

  await a.removeLeaseOwner('s-rel', shard.leaseToken!); // unowned: nothing to do
  await a.removeLeaseOwner('absent', 'any-token');
  expect((await row('s-rel'))?.LeaseCounter).toEqual({ N: '2' });
  expect(await row('absent')).toBeUndefined();

  // The claimer takes it at the new counter; the take clears the claim.
  const released = await observe(b, 's-rel');
  await takeOrRenewLease(b, released, 'worker-b');
  expect(released).toMatchObject({ assignedTo: 'worker-b', checkpoint: '42', claimRequest: undefined, leaseCounter: 3 });
});

test('claimShard: sets ClaimRequest once; ShardClaimedError when pending or at SHARD_END; LeaseNotAcquiredError when the owner changed', async () => {
  const shard = createShardStatus('s-claim');
  await takeOrRenewLease(a, shard, 'worker-a');
  const seen = await observe(b, 's-claim');
  await b.claimShard(seen, 'worker-b');
  expect(seen.claimRequest).toBe('worker-b');
  expect(await row('s-claim')).toMatchObject({ ClaimRequest: { S: 'worker-b' }, AssignedTo: { S: 'worker-a' }, LeaseCounter: { N: '1' } });

  const second = await b.claimShard(await observe(b, 's-claim'), 'worker-c').catch((e: unknown) => e);
  expect(second).toBeInstanceOf(ShardClaimedError);
  expect((second as Error).message).toContain('pending claim by worker-b');

  await takeOrRenewLease(a, createShardStatus('s-moved'), 'worker-a');
  const stale = createShardStatus('s-moved', { assignedTo: 'worker-z' });
  const moved = await b.claimShard(stale, 'worker-c').catch((e: unknown) => e);
  expect(moved).toBeInstanceOf(LeaseNotAcquiredError);
  expect((moved as Error).message).toContain('from worker-z: its owner is worker-a');
  await expect(b.claimShard(createShardStatus('s-moved'), 'worker-c')).rejects.toThrow(/has no owner/);
  expect((await row('s-moved'))?.ClaimRequest).toBeUndefined();
  await expect(b.claimShard(createShardStatus('absent'), 'worker-c')).rejects.toBeInstanceOf(LeaseNotAcquiredError);
  expect(await row('absent')).toBeUndefined();

  const ended = createShardStatus('s-ended');
  await takeOrRenewLease(a, ended, 'worker-a');
  ended.checkpoint = SHARD_END;
  await a.checkpointSequence(ended);
  await expect(b.claimShard(await observe(b, 's-ended'), 'worker-b')).rejects.toBeInstanceOf(ShardClaimedError);
});

test('listActiveWorkers groups owned unfinished leases by owner and updates the caller map in place', async () => {
  for (const id of ['s-0', 's-1', 's-2']) await takeOrRenewLease(a, createShardStatus(id), 'worker-a');
  await takeOrRenewLease(b, createShardStatus('s-3'), 'worker-b');
  const ended = createShardStatus('s-4');
  await takeOrRenewLease(b, ended, 'worker-b');
  ended.checkpoint = SHARD_END;
  await b.checkpointSequence(ended);
  const released = createShardStatus('s-5');
  await takeOrRenewLease(a, released, 'worker-a');
  await a.removeLeaseOwner('s-5', released.leaseToken!);

  const local = createShardStatus('s-3', { startingSequenceNumber: '7' });
  const map = new Map([['s-3', local]]);
  const workers = await a.listActiveWorkers(map);
  expect([...workers.keys()].sort()).toEqual(['worker-a', 'worker-b']);
  expect(
    workers
      .get('worker-a')!
      .map((s) => s.id)
      .sort(),
  ).toEqual(['s-0', 's-1', 's-2']);
  expect(workers.get('worker-b')).toEqual([local]);
  expect(local).toMatchObject({ assignedTo: 'worker-b', leaseCounter: 1, startingSequenceNumber: '7' });
});

test('takeLease and renewLease validate their arguments', async () => {
  await expect(a.takeLease(createShardStatus(''), 'worker-a')).rejects.toBeInstanceOf(InvalidArgumentError);
  await expect(a.takeLease(createShardStatus('x'), '')).rejects.toBeInstanceOf(InvalidArgumentError);
  await expect(a.takeLease(createShardStatus('x', { leaseCounter: -1 }), 'worker-a')).rejects.toBeInstanceOf(InvalidArgumentError);
  await expect(a.renewLease(createShardStatus('x', { assignedTo: 'worker-a' }), 'worker-a')).rejects.toBeInstanceOf(InvalidArgumentError);
  await expect(a.renewLease(createShardStatus('', { leaseToken: 't' }), 'worker-a')).rejects.toBeInstanceOf(InvalidArgumentError);
});

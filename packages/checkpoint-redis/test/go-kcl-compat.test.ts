import { takeOrRenewLease } from '@kcl/core';
import { CheckpointOrderError, createShardStatus, LeaseLostError, LeaseNotFinishedError, SHARD_END } from '@kcl/core';
import { randomName } from '@kcl/testbed';
import { RedisCheckpoint } from '../src';
import { parseRfc3339 } from '../src/lease-hash';
import { testConfig, useRedisServer } from './helpers';

// Hashes written exactly as go-kcl's Redis checkpointer writes them (HSET of ShardID, AssignedTo, LeaseTimeout in
// time.RFC3339Nano, Checkpoint, ParentShardId, ClaimRequest; SADD of the id) are read, taken and checkpointed.

const redis = useRedisServer();

/** What go-kcl's CheckpointSequence / GetLease leave behind for one shard. */
async function writeGoKclLease(table: string, shardId: string, fields: Record<string, string>): Promise<void> {
  await redis.raw.hSet(`kcl:${table}:shard:${shardId}`, { ShardID: shardId, ...fields });
  await redis.raw.sAdd(`kcl:${table}:shards`, shardId);
}

it('fetchCheckpoint and listLeases read a go-kcl hash (no counter = 0, RFC3339Nano LeaseTimeout)', async () => {
  const table = randomName('gokcl');
  await writeGoKclLease(table, 'shardId-000000000002', {
    AssignedTo: 'go-worker-1',
    LeaseTimeout: '2026-03-01T10:20:30.123456789Z',
    Checkpoint: '49590338271490256608559692538361571095921575989136588898',
    ParentShardId: 'shardId-000000000000',
  });
  const cp = new RedisCheckpoint(testConfig(table, 'ts-worker'), { address: redis.server.address });
  const shard = createShardStatus('shardId-000000000002');
  await cp.fetchCheckpoint(shard);
  expect(shard).toEqual(
    expect.objectContaining({
      checkpoint: '49590338271490256608559692538361571095921575989136588898',
      assignedTo: 'go-worker-1',
      leaseCounter: 0,
      leaseToken: undefined,
      parentShardId: 'shardId-000000000000',
      parentShardIds: ['shardId-000000000000'],
      leaseTimeout: new Date('2026-03-01T10:20:30.123Z'),
    }),
  );
  expect(await cp.getLeaseOwner('shardId-000000000002')).toBe('go-worker-1');
  const active = await cp.listActiveWorkers(new Map());
  expect([...active.keys()]).toEqual(['go-worker-1']);
  await cp.close();
});

it('a go-kcl lease is taken at counter 0, keeps its checkpoint, drops the claim, and gets checkpointed', async () => {
  const table = randomName('gokcl');
  const key = `kcl:${table}:shard:shardId-000000000003`;
  await writeGoKclLease(table, 'shardId-000000000003', {
    AssignedTo: 'go-worker-1',
    LeaseTimeout: '2026-03-01T10:20:30Z',
    Checkpoint: '100',
    ClaimRequest: 'go-worker-2',
  });
  const cp = new RedisCheckpoint(testConfig(table, 'ts-worker', { failoverTimeMillis: 10_000 }), { address: redis.server.address });
  const shard = createShardStatus('shardId-000000000003');
  await cp.fetchCheckpoint(shard);
  const before = Date.now();
  await takeOrRenewLease(cp, shard, 'ts-worker');
  const after = Date.now();
  expect(shard).toEqual(expect.objectContaining({ assignedTo: 'ts-worker', leaseCounter: 1, checkpoint: '100', claimRequest: undefined }));
  expect(shard.leaseToken).toEqual(expect.any(String));
  // LeaseTimeout comes from the server's TIME (+ failover) and is RFC 3339 that go-kcl parses.
  const stored = await redis.raw.hGetAll(key);
  expect(stored['ClaimRequest']).toBeUndefined();
  expect(stored['LeaseTimeout']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  const timeout = Date.parse(stored['LeaseTimeout'] as string);
  expect(timeout).toBeGreaterThanOrEqual(before + 10_000 - 1_000);
  expect(timeout).toBeLessThanOrEqual(after + 10_000 + 1_000);
  expect(shard.leaseTimeout?.getTime()).toBe(timeout);

  shard.checkpoint = '200';
  await cp.checkpointSequence(shard);
  expect(await redis.raw.hGet(key, 'Checkpoint')).toBe('200');
  expect(await redis.raw.hGet(key, 'ShardID')).toBe('shardId-000000000003');
  await cp.close();
});

it('once an @kcl worker took a go-kcl lease, a take at the old counter 0 fails', async () => {
  const table = randomName('gokcl');
  await writeGoKclLease(table, 'shardId-000000000004', { AssignedTo: 'go-worker-1', Checkpoint: '5' });
  const a = new RedisCheckpoint(testConfig(table, 'a'), { address: redis.server.address });
  const b = new RedisCheckpoint(testConfig(table, 'b'), { address: redis.server.address });
  const seenByA = createShardStatus('shardId-000000000004');
  const seenByB = createShardStatus('shardId-000000000004');
  await takeOrRenewLease(a, seenByA, 'a');
  await expect(takeOrRenewLease(b, seenByB, 'b')).rejects.toMatchObject({ code: 'LEASE_NOT_ACQUIRED' });
  await Promise.all([a.close(), b.close()]);
});

it('a go-kcl hash at SHARD_END is never taken', async () => {
  const table = randomName('gokcl');
  await writeGoKclLease(table, 'shardId-000000000005', { Checkpoint: SHARD_END });
  const cp = new RedisCheckpoint(testConfig(table, 'a'), { address: redis.server.address });
  await expect(takeOrRenewLease(cp, createShardStatus('shardId-000000000005'), 'a')).rejects.toMatchObject({ code: 'LEASE_NOT_ACQUIRED' });
  expect(await redis.raw.hGet(`kcl:${table}:shard:shardId-000000000005`, 'AssignedTo')).toBeNull();
  await cp.close();
});

it('checkpoints are fenced by the token: a stale holder cannot overwrite after a take-over', async () => {
  const table = randomName('gokcl');
  const a = new RedisCheckpoint(testConfig(table, 'a'), { address: redis.server.address });
  const b = new RedisCheckpoint(testConfig(table, 'b'), { address: redis.server.address });
  const mine = createShardStatus('shardId-000000000006');
  await takeOrRenewLease(a, mine, 'a');
  const observed = createShardStatus('shardId-000000000006', { leaseCounter: mine.leaseCounter });
  await takeOrRenewLease(b, observed, 'b');
  observed.checkpoint = '200';
  await b.checkpointSequence(observed);
  mine.checkpoint = '150';
  await expect(a.checkpointSequence(mine)).rejects.toBeInstanceOf(LeaseLostError);
  expect(await redis.raw.hGet(`kcl:${table}:shard:shardId-000000000006`, 'Checkpoint')).toBe('200');
  await Promise.all([a.close(), b.close()]);
});

describe('parseRfc3339 (LeaseTimeout as go-kcl writes it)', () => {
  it.each([
    ['2026-03-01T10:20:30Z', '2026-03-01T10:20:30.000Z'],
    ['2026-03-01T10:20:30.1Z', '2026-03-01T10:20:30.100Z'],
    ['2026-03-01T10:20:30.123456789Z', '2026-03-01T10:20:30.123Z'],
    ['2026-03-01T12:20:30.5+02:00', '2026-03-01T10:20:30.500Z'],
    ['2026-03-01T05:50:30-04:30', '2026-03-01T10:20:30.000Z'],
  ])('%s', (text, iso) => {
    expect(parseRfc3339(text)?.toISOString()).toBe(iso);
  });

  it.each(['0001-01-01T00:00:00Z', 'not a date', '2026-13-01T00:00:00Z', '2026-03-01 10:20'])('%s reads as undefined', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });

  // The scripts' own format (milliseconds, Z) takes a shorter path: it must read every value as the general one does.
  it.each([
    ['2026-03-01T10:20:30.123Z', '2026-03-01T10:20:30.123Z'],
    ['2026-12-31T23:59:59.999Z', '2026-12-31T23:59:59.999Z'],
    ['0002-01-01T00:00:00.000Z', '0002-01-01T00:00:00.000Z'],
    ['2026-02-30T00:00:00.000Z', '2026-03-02T00:00:00.000Z'],
    ['2026-03-01T10:20:60.000Z', '2026-03-01T10:21:00.000Z'],
  ])("%s (the scripts' format)", (text, iso) => {
    expect(parseRfc3339(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '0001-01-01T00:00:00.000Z',
    '0000-06-01T00:00:00.000Z',
    '2026-03-01T24:00:00.000Z',
    '2026-13-01T00:00:00.000Z',
    '2026-03-01T10:20:3x.000Z',
  ])("%s (the scripts' format) reads as undefined", (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });
});

it('a go-kcl hash is ordered by its Checkpoint: taken, never moved back (CheckpointOrderError), not deleted before SHARD_END', async () => {
  const table = randomName('gokcl');
  const key = `kcl:${table}:shard:shardId-000000000007`;
  const seq = '49590338271490256608559692538361571095921575989136588898';
  await writeGoKclLease(table, 'shardId-000000000007', { AssignedTo: 'go-worker-1', LeaseTimeout: '2026-03-01T10:20:30Z', Checkpoint: seq });
  const cp = new RedisCheckpoint(testConfig(table, 'ts-worker'), { address: redis.server.address });
  const shard = createShardStatus('shardId-000000000007');
  await cp.fetchCheckpoint(shard);
  await takeOrRenewLease(cp, shard, 'ts-worker');
  shard.checkpoint = '9'.repeat(55); // shorter, although every digit is larger
  await expect(cp.checkpointSequence(shard)).rejects.toMatchObject({ code: 'CHECKPOINT_OUT_OF_ORDER', stored: seq, attempted: '9'.repeat(55) });
  shard.checkpoint = seq;
  shard.subSequenceNumber = 1; // inside the record go-kcl checkpointed as a whole
  await expect(cp.checkpointSequence(shard)).rejects.toBeInstanceOf(CheckpointOrderError);
  expect(await redis.raw.hGet(key, 'Checkpoint')).toBe(seq);
  await expect(cp.removeLeaseInfo('shardId-000000000007')).rejects.toBeInstanceOf(LeaseNotFinishedError);
  shard.subSequenceNumber = undefined;
  shard.checkpoint = SHARD_END;
  await cp.checkpointSequence(shard);
  await cp.removeLeaseInfo('shardId-000000000007');
  expect(await redis.raw.exists(key)).toBe(0);
  expect(await redis.raw.sIsMember(`kcl:${table}:shards`, 'shardId-000000000007')).toBeFalsy();
  await cp.close();
});

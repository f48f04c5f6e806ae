import { takeOrRenewLease } from '@kcl/core';
import { createShardStatus } from '@kcl/core';
import { randomName } from '@kcl/testbed';
import { RedisCheckpoint } from '../src';
import { testConfig, useRedisServer } from './helpers';

// Exact key names and hash fields on a single server (go-kcl's layout), and with hashTag: true.

const redis = useRedisServer();
beforeEach(async () => {
  await redis.raw.flushAll();
});

async function useLease(options: ConstructorParameters<typeof RedisCheckpoint>[1], table = 'orders'): Promise<RedisCheckpoint> {
  const cp = new RedisCheckpoint(testConfig(table, 'worker-1'), options);
  const shard = createShardStatus('shardId-000000000001', { parentShardIds: ['shardId-000000000000'] });
  await takeOrRenewLease(cp, shard, 'worker-1');
  shard.checkpoint = '49590338271490256608559692538361571095921575989136588802';
  await cp.checkpointSequence(shard);
  return cp;
}

it('go-kcl layout for prefix "kcl" and table "orders": one hash per shard and one set of shard ids (plus the owner set)', async () => {
  const cp = await useLease({ address: redis.server.address });
  expect(cp.keys.base).toBe('kcl:orders');
  expect((await redis.raw.keys('*')).sort()).toEqual(['kcl:orders:owner:worker-1', 'kcl:orders:shard:shardId-000000000001', 'kcl:orders:shards']);
  expect(await redis.raw.type('kcl:orders:owner:worker-1')).toBe('set');
  expect(await redis.raw.sMembers('kcl:orders:owner:worker-1')).toEqual(['shardId-000000000001']);
  expect(await redis.raw.type('kcl:orders:shard:shardId-000000000001')).toBe('hash');
  expect(await redis.raw.type('kcl:orders:shards')).toBe('set');
  expect(await redis.raw.sMembers('kcl:orders:shards')).toEqual(['shardId-000000000001']);
  await cp.close();
});

it('the hash uses go-kcl field names plus LeaseCounter, LeaseToken, ParentShardIds', async () => {
  const cp = await useLease({ address: redis.server.address });
  const hash = await redis.raw.hGetAll('kcl:orders:shard:shardId-000000000001');
  expect(Object.keys(hash).sort()).toEqual(
    ['AssignedTo', 'Checkpoint', 'LeaseCounter', 'LeaseTimeout', 'LeaseToken', 'ParentShardId', 'ParentShardIds', 'ShardID'].sort(),
  );
  expect(hash).toEqual(
    expect.objectContaining({
      ShardID: 'shardId-000000000001',
      AssignedTo: 'worker-1',
      Checkpoint: '49590338271490256608559692538361571095921575989136588802',
      ParentShardId: 'shardId-000000000000',
      ParentShardIds: 'shardId-000000000000',
      LeaseCounter: '1',
    }),
  );
  // RFC 3339 UTC, as go-kcl's time.Parse(time.RFC3339Nano, ...) accepts it.
  expect(hash['LeaseTimeout']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  await cp.close();
});

it('keyPrefix replaces "kcl"', async () => {
  const cp = await useLease({ address: redis.server.address, keyPrefix: 'myco:kcl' });
  expect((await redis.raw.keys('*')).sort()).toEqual([
    'myco:kcl:orders:owner:worker-1',
    'myco:kcl:orders:shard:shardId-000000000001',
    'myco:kcl:orders:shards',
  ]);
  await cp.close();
});

it('hashTag: true wraps the table name in braces, also on a single server', async () => {
  const cp = await useLease({ address: redis.server.address, hashTag: true });
  expect(cp.keys.base).toBe('kcl:{orders}');
  expect((await redis.raw.keys('*')).sort()).toEqual([
    'kcl:{orders}:owner:worker-1',
    'kcl:{orders}:shard:shardId-000000000001',
    'kcl:{orders}:shards',
  ]);
  await cp.close();
});

it('two applications on one server are isolated (own keys, own leases)', async () => {
  const a = new RedisCheckpoint(testConfig('app-a', 'w'), { address: redis.server.address });
  const b = new RedisCheckpoint(testConfig('app-b', 'w'), { address: redis.server.address });
  const shardA = createShardStatus('shardId-000000000001');
  const shardB = createShardStatus('shardId-000000000001');
  await takeOrRenewLease(a, shardA, 'w');
  await takeOrRenewLease(b, shardB, 'w');
  expect(shardA.leaseCounter).toBe(1);
  expect(shardB.leaseCounter).toBe(1);
  shardA.checkpoint = '111';
  await a.checkpointSequence(shardA);
  await expect(b.fetchCheckpoint(createShardStatus('shardId-000000000001'))).rejects.toMatchObject({ code: 'SEQUENCE_NOT_FOUND' });
  shardB.checkpoint = 'SHARD_END';
  await b.checkpointSequence(shardB);
  await b.removeLeaseInfo('shardId-000000000001');
  expect((await a.listLeases()).map((l) => [l.id, l.checkpoint, l.leaseCounter])).toEqual([['shardId-000000000001', '111', 1]]);
  expect(await b.listLeases()).toEqual([]);
  await Promise.all([a.close(), b.close()]);
});

it('db selects the database (keys land in db 15 only)', async () => {
  const table = randomName('db');
  const cp = new RedisCheckpoint(testConfig(table), { address: `redis://${redis.server.address}/3`, db: 15 });
  await takeOrRenewLease(cp, createShardStatus('shardId-000000000001'), 'worker-1');
  expect(await redis.raw.keys('*')).toEqual([]);
  const db15 = redis.raw.duplicate({ database: 15 });
  await db15.connect();
  expect((await db15.keys('*')).sort()).toEqual([`kcl:${table}:owner:worker-1`, `kcl:${table}:shard:shardId-000000000001`, `kcl:${table}:shards`]);
  await db15.flushDb();
  await db15.close();
  await cp.close();
});

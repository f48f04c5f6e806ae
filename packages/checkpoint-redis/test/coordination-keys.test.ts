import { takeOrRenewLease } from '@kcl/core';
import { createShardStatus } from '@kcl/core';
import { RedisCheckpoint } from '../src';
import { tableName, testConfig, useRedisServer } from './helpers';

// Redis-specific parts of fleet coordination (the shared rules run in the conformance suites): the keys it adds next
// to go-kcl's, the owner sets kept in step by the lease scripts (also for leases written by tools that keep none), and
// batch renewal in one round trip.

const redis = useRedisServer();

async function open(table: string, workerId = 'w1'): Promise<RedisCheckpoint> {
  const cp = new RedisCheckpoint(testConfig(table, workerId), { address: redis.server.address });
  await cp.init();
  return cp;
}

async function commandCalls(name: string): Promise<number> {
  const info = await redis.raw.info('commandstats');
  const match = new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(info);
  return match ? Number(match[1]) : 0;
}

it('registry, leader and owner set live under the application keys: <prefix>:<table>:workers / :leader / :owner:<id>', async () => {
  const table = tableName('coord-keys');
  const cp = await open(table);
  await cp.heartbeat('w1');
  await cp.heartbeat('w1');
  await cp.takeCoordinatorLease('w1', 0);
  await takeOrRenewLease(cp, createShardStatus('shardId-000000000001'), 'w1');
  expect(await redis.raw.hGetAll(`kcl:${table}:workers`)).toEqual({ w1: '2' });
  expect(await redis.raw.hGetAll(`kcl:${table}:leader`)).toEqual(expect.objectContaining({ AssignedTo: 'w1', LeaseCounter: '1' }));
  expect(await redis.raw.sMembers(`kcl:${table}:owner:w1`)).toEqual(['shardId-000000000001']);
  // go-kcl's set of shards holds shard ids only
  expect(await redis.raw.sMembers(`kcl:${table}:shards`)).toEqual(['shardId-000000000001']);
  await cp.close();
});

it('a lease written without an owner set (go-kcl, an older @kcl) is indexed by its next renewal; listOwnedLeases is one SMEMBERS', async () => {
  const table = tableName('coord-heal');
  const cp = await open(table);
  const shard = createShardStatus('shardId-000000000001');
  await takeOrRenewLease(cp, shard, 'w1');
  // As a writer that keeps no owner sets would leave it: the lease is owned, the set is gone.
  await redis.raw.del(`kcl:${table}:owner:w1`);
  expect(await cp.listOwnedLeases('w1')).toEqual([]);
  await takeOrRenewLease(cp, shard, 'w1');
  const before = await commandCalls('smembers');
  expect(await cp.listOwnedLeases('w1')).toEqual([{ shardId: 'shardId-000000000001' }]);
  expect((await commandCalls('smembers')) - before).toBe(1);
  await cp.close();
});

it('renewLeases renews 200 leases in one script call (one round trip)', async () => {
  const table = tableName('coord-batch');
  const cp = await open(table);
  const shards = Array.from({ length: 200 }, (_, i) => createShardStatus(`shardId-${String(i).padStart(12, '0')}`));
  for (const shard of shards) await takeOrRenewLease(cp, shard, 'w1');
  await cp.renewLeases(shards.slice(0, 1), 'w1'); // (the scripts were loaded at init)
  const before = (await commandCalls('evalsha')) + (await commandCalls('eval'));
  const results = await cp.renewLeases(shards, 'w1');
  const after = (await commandCalls('evalsha')) + (await commandCalls('eval'));
  expect(after - before).toBe(1);
  expect(results.every((r) => !(r instanceof Error))).toBe(true);
  expect(shards.map((s) => s.leaseCounter)).toEqual([3, ...Array<number>(199).fill(2)]);
  await cp.close();
});

it('commandCounts() counts the commands this checkpointer sent, by name (a script is one EVALSHA/EVAL)', async () => {
  const cp = await open(tableName('coord-count'));
  const start = cp.commandCounts();
  await takeOrRenewLease(cp, createShardStatus('shardId-000000000001'), 'w1');
  await cp.listOwnedLeases('w1');
  await cp.listOwnedLeases('w1');
  await cp.listLeases();
  const counts = cp.commandCounts();
  const delta = (name: string): number => (counts[name] ?? 0) - (start[name] ?? 0);
  expect(delta('SMEMBERS')).toBe(2);
  expect(delta('EVALSHA') + delta('EVAL')).toBeGreaterThanOrEqual(1);
  expect(delta('SSCAN')).toBe(1);
  expect(delta('HGETALL')).toBe(1); // one lease in the table
  await cp.close();
});

import { takeOrRenewLease } from '@kcl/core';
import { ConfigError, createShardStatus } from '@kcl/core';
import { randomName, startRedisCluster, type RedisClusterHandle } from '@kcl/testbed';
import { createClient, createCluster } from 'redis';
import { RedisCheckpoint } from '../src';
import { loadScript } from '../src/scripts';
import { testConfig } from './helpers';

// Redis Cluster specifics (the conformance suite runs on the same 3-master setup in conformance-cluster.test.ts).

let handle: RedisClusterHandle;
let cluster: ReturnType<typeof createCluster>;
let nodes: ReturnType<typeof createClient>[];

beforeAll(async () => {
  handle = await startRedisCluster({ masters: 3 });
  cluster = createCluster({ rootNodes: handle.urls.map((url) => ({ url })) });
  cluster.on('error', () => undefined);
  await cluster.connect();
  nodes = handle.urls.map((url) => createClient({ url }));
  await Promise.all(nodes.map((n) => n.connect()));
}, 60_000);
afterAll(async () => {
  await Promise.all((nodes ?? []).map((n) => n.close()));
  await cluster?.close();
  await handle?.stop();
});

/** Every key on every master, as `port key`. */
async function keysByNode(pattern: string): Promise<string[]> {
  const perNode = await Promise.all(nodes.map(async (n, i) => (await n.keys(pattern)).map((k) => `${handle.nodes[i]?.port} ${k}`)));
  return perNode.flat().sort();
}

it('keys get a hash tag around the table name automatically, share one slot and live on one master', async () => {
  const table = `orders-${randomName('c')}`;
  const cp = new RedisCheckpoint(testConfig(table), { cluster });
  expect(cp.keys.base).toBe(`kcl:{${table}}`);
  for (let i = 0; i < 20; i++) await takeOrRenewLease(cp, createShardStatus(`shardId-${String(i).padStart(12, '0')}`), 'worker-1');
  const found = await keysByNode(`kcl:{${table}}:*`);
  expect(found).toHaveLength(22); // 20 lease hashes, the shard set and the owner set of worker-1
  expect(new Set(found.map((line) => line.split(' ')[0])).size).toBe(1);
  expect(found.map((line) => line.split(' ')[1])).toContain(`kcl:{${table}}:shard:shardId-000000000001`);
  expect(found.map((line) => line.split(' ')[1])).toContain(`kcl:{${table}}:shards`);
  const slots = await Promise.all(
    [`kcl:{${table}}:shards`, `kcl:{${table}}:shard:shardId-000000000001`].map((k) => nodes[0]!.sendCommand(['CLUSTER', 'KEYSLOT', k])),
  );
  expect(slots[0]).toBe(slots[1]);
  expect((await cp.listLeases()).length).toBe(20);
  await cp.close();
});

it('the exact go-kcl-style name for table "orders" is kcl:{orders}:shard:<id> on a cluster', async () => {
  const cp = new RedisCheckpoint(testConfig('orders'), { cluster, keyPrefix: randomName('p') });
  expect(cp.keys.shard('shardId-000000000001')).toMatch(/^kcl-test-p-[0-9a-f]+:\{orders\}:shard:shardId-000000000001$/);
  const standardPrefix = new RedisCheckpoint(testConfig('orders'), { cluster });
  expect(standardPrefix.keys.shard('shardId-000000000001')).toBe('kcl:{orders}:shard:shardId-000000000001');
  expect(standardPrefix.keys.shards).toBe('kcl:{orders}:shards');
  await Promise.all([cp.close(), standardPrefix.close()]);
});

it('a cluster passed as `client` is detected and hash-tagged too', async () => {
  const table = randomName('c');
  const cp = new RedisCheckpoint(testConfig(table), { client: cluster });
  expect(cp.keys.base).toBe(`kcl:{${table}}`);
  await takeOrRenewLease(cp, createShardStatus('shardId-000000000001'), 'worker-1');
  expect(await cp.getLeaseOwner('shardId-000000000001')).toBe('worker-1');
  await cp.close();
});

it('hashTag: false is refused with a cluster (scripts would fail with CROSSSLOT)', () => {
  expect(() => new RedisCheckpoint(testConfig('orders'), { cluster, hashTag: false })).toThrow(ConfigError);
  try {
    new RedisCheckpoint(testConfig('orders'), { cluster, hashTag: false });
  } catch (error) {
    expect((error as ConfigError).option).toBe('hashTag');
    expect((error as Error).message).toContain('CROSSSLOT');
  }
});

it('after SCRIPT FLUSH on every master the scripts are loaded again, on the master owning the slot', async () => {
  const cp = new RedisCheckpoint(testConfig(randomName('c')), { cluster });
  const shard = createShardStatus('shardId-000000000001');
  await takeOrRenewLease(cp, shard, 'worker-1');
  await Promise.all(nodes.map((n) => n.scriptFlush()));
  const before = cp.commandCounts();
  await takeOrRenewLease(cp, shard, 'worker-1');
  shard.checkpoint = '9';
  await cp.checkpointSequence(shard);
  expect(shard.leaseCounter).toBe(2);
  const after = cp.commandCounts();
  const sent = (name: string): number => (after[name] ?? 0) - (before[name] ?? 0);
  expect([sent('SCRIPT'), sent('EVAL')]).toEqual([2, 0]); // one SCRIPT LOAD per script, then EVALSHA
  // node-redis sends SCRIPT LOAD to every master (its request policy); what matters is the master of the app's slot.
  const ownerPort = Number((await keysByNode(`${cp.keys.base}:*`))[0]?.split(' ')[0]);
  const owner = handle.nodes.findIndex((n) => n.port === ownerPort);
  expect(owner).toBeGreaterThanOrEqual(0);
  const loaded = await Promise.all(nodes.map((n) => n.scriptExists(loadScript('renew-lease').sha1)));
  expect(loaded[owner]).toEqual([1]);
  await cp.close();
  expect(cluster.isOpen).toBe(true); // injected: not closed
});

it('two applications on the cluster are isolated', async () => {
  const a = new RedisCheckpoint(testConfig(randomName('a'), 'w'), { cluster });
  const b = new RedisCheckpoint(testConfig(randomName('b'), 'w'), { cluster });
  const sa = createShardStatus('shardId-000000000001');
  await takeOrRenewLease(a, sa, 'w');
  sa.checkpoint = '1001';
  await a.checkpointSequence(sa);
  await expect(b.fetchCheckpoint(createShardStatus('shardId-000000000001'))).rejects.toMatchObject({ code: 'SEQUENCE_NOT_FOUND' });
  expect(await b.listLeases()).toEqual([]);
  expect((await a.listLeases()).map((l) => l.checkpoint)).toEqual(['1001']);
  await Promise.all([a.close(), b.close()]);
});

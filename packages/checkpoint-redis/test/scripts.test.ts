import { takeOrRenewLease } from '@kcl/core';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createShardStatus } from '@kcl/core';
import { randomName } from '@kcl/testbed';
import { createClient, RESP_TYPES } from 'redis';
import { RedisCheckpoint } from '../src';
import { loadScript, LUA_DIR, type ScriptName } from '../src/scripts';
import { testConfig, useRedisServer } from './helpers';

// The Lua scripts: headers, shipping in dist, values only as ARGV, and injected clients (loading: script-loading.test.ts).

const SCRIPTS: ScriptName[] = [
  'take-lease',
  'renew-lease',
  'renew-leases',
  'checkpoint',
  'release-lease',
  'claim-shard',
  'remove-lease',
  'transfer-lease',
  'coordinator-lease',
];
const redis = useRedisServer();

describe('script files', () => {
  it.each(SCRIPTS)('%s.lua has a header with KEYS, ARGV and return codes, and includes expand', (name) => {
    const text = readFileSync(join(LUA_DIR, `${name}.lua`), 'utf8');
    expect(text.startsWith(`-- ${name}.lua: `)).toBe(true);
    expect(text).toMatch(/^-- KEYS\[1\] /m);
    expect(text).toMatch(/^-- ARGV\[1\] /m);
    expect(text).toMatch(/^-- Returns /m);
    expect(loadScript(name).source).not.toMatch(/^-- @include/m);
    expect(loadScript(name).sha1).toMatch(/^[0-9a-f]{40}$/);
  });

  it('the build ships every .lua file in dist/lua, and package.json publishes dist', () => {
    const pkgDir = join(__dirname, '..');
    const list = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
    const distLua = join(pkgDir, 'dist', 'lua');
    expect(existsSync(distLua)).toBe(true); // `pnpm test` builds first
    expect(list(distLua).sort()).toEqual(list(LUA_DIR).sort());
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { files: string[]; scripts: Record<string, string> };
    expect(pkg.files).toContain('dist');
    expect(pkg.scripts['build']).toContain('copy-lua');
  });
});

it('values are only ARGV: Lua-looking worker ids and shard ids are stored verbatim', async () => {
  const table = randomName('argv');
  const cp = new RedisCheckpoint(testConfig(table, "w'); redis.call('FLUSHALL') --"), { address: redis.server.address });
  const nasty = "w'); redis.call('FLUSHALL') --";
  const shardId = 'shardId-"]] .. redis.call("DEL", KEYS[2]) .. [["';
  const shard = createShardStatus(shardId);
  await redis.raw.set('canary', 'alive');
  await takeOrRenewLease(cp, shard, nasty);
  shard.checkpoint = '7';
  await cp.checkpointSequence(shard);
  expect(await redis.raw.get('canary')).toBe('alive');
  const hash = await redis.raw.hGetAll(`kcl:${table}:shard:${shardId}`);
  expect(hash).toEqual(expect.objectContaining({ AssignedTo: nasty, Checkpoint: '7', ShardID: shardId }));
  await cp.removeLeaseOwner(shardId, shard.leaseToken!);
  expect(await cp.listLeases()).toEqual([expect.objectContaining({ id: shardId, assignedTo: undefined })]);
  await cp.close();
});

describe('injected clients', () => {
  it('an injected client is used as is and never closed by close()', async () => {
    const client = createClient({ url: redis.server.url });
    client.on('error', () => undefined);
    await client.connect();
    const cp = new RedisCheckpoint(testConfig(randomName('inj')), { client });
    await takeOrRenewLease(cp, createShardStatus('shardId-000000000001'), 'worker-1');
    await cp.close();
    expect(client.isOpen).toBe(true);
    expect(await client.ping()).toBe('PONG');
    await client.close();
  });

  it('an injected client that is not connected yet is connected by init() (and still not closed)', async () => {
    const client = createClient({ url: redis.server.url });
    client.on('error', () => undefined);
    const cp = new RedisCheckpoint(testConfig(randomName('inj')), { client });
    await cp.init();
    expect(client.isReady).toBe(true);
    await cp.close();
    expect(client.isOpen).toBe(true);
    await client.close();
  });

  it('RESP3 with a Buffer type mapping and a client keyPrefix do not change replies nor key names', async () => {
    const table = randomName('resp3');
    const client = createClient({ url: redis.server.url, RESP: 3, keyPrefix: 'ignored:' }).withTypeMapping({
      [RESP_TYPES.BLOB_STRING]: Buffer,
      [RESP_TYPES.MAP]: Map,
    });
    client.on('error', () => undefined);
    await client.connect();
    const cp = new RedisCheckpoint(testConfig(table), { client });
    const shard = createShardStatus('shardId-000000000001', { parentShardIds: ['shardId-000000000000'] });
    await takeOrRenewLease(cp, shard, 'worker-1');
    shard.checkpoint = '77';
    shard.subSequenceNumber = 3;
    await cp.checkpointSequence(shard);
    const fetched = createShardStatus('shardId-000000000001');
    await cp.fetchCheckpoint(fetched);
    expect(fetched).toEqual(expect.objectContaining({ checkpoint: '77', subSequenceNumber: 3, assignedTo: 'worker-1', leaseCounter: 1 }));
    expect(fetched.parentShardIds).toEqual(['shardId-000000000000']);
    expect(await cp.getLeaseOwner('shardId-000000000001')).toBe('worker-1');
    expect((await cp.listLeases()).map((l) => l.id)).toEqual(['shardId-000000000001']);
    expect(await redis.raw.exists(`kcl:${table}:shards`)).toBe(1);
    await cp.close();
    await client.close();
  });
});

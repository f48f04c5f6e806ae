import { takeOrRenewLease } from '@kcl/core';
import { readdirSync } from 'node:fs';
import { createShardStatus, type ShardStatus } from '@kcl/core';
import { randomName } from '@kcl/testbed';
import { RedisCheckpoint } from '../src';
import { loadScript, LUA_DIR, SCRIPT_NAMES } from '../src/scripts';
import { testConfig, useRedisServer } from './helpers';

// Script loading: SCRIPT LOAD of every script at init, EVALSHA only afterwards, ONE shared reload after the server
// lost its scripts (however many calls were waiting), and EVAL where SCRIPT LOAD is not allowed.

const redis = useRedisServer();

async function serverCalls(command: 'eval' | 'evalsha' | 'script|load'): Promise<number> {
  const info = await redis.raw.info('commandstats');
  return Number(new RegExp(`^cmdstat_${command.replace('|', '\\|')}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
}

function counter(cp: RedisCheckpoint): (name: string) => number {
  const start = cp.commandCounts();
  return (name) => (cp.commandCounts()[name] ?? 0) - (start[name] ?? 0);
}

function shards(count: number): ShardStatus[] {
  return Array.from({ length: count }, (_, i) => createShardStatus(`shardId-${String(i).padStart(12, '0')}`));
}

it('SCRIPT_NAMES lists every script file', () => {
  const files = readdirSync(LUA_DIR)
    .filter((f) => f.endsWith('.lua'))
    .map((f) => f.replace(/\.lua$/, ''));
  expect([...SCRIPT_NAMES].sort()).toEqual(files.sort());
});

it('init loads every script once (SCRIPT LOAD); lease calls then send EVALSHA only', async () => {
  await redis.raw.scriptFlush();
  const cp = new RedisCheckpoint(testConfig(randomName('load')), { address: redis.server.address });
  await cp.init();
  expect(cp.commandCounts()['SCRIPT']).toBe(SCRIPT_NAMES.length);
  const loaded = await redis.raw.scriptExists(SCRIPT_NAMES.map((n) => loadScript(n).sha1));
  expect(loaded).toEqual(SCRIPT_NAMES.map(() => 1));
  const sent = counter(cp);
  const all = shards(20);
  await Promise.all(all.map((s) => takeOrRenewLease(cp, s, 'w1')));
  await cp.renewLeases(all, 'w1');
  expect([sent('EVALSHA'), sent('EVAL'), sent('SCRIPT')]).toEqual([21, 0, 0]);
  await cp.close();
});

it('after SCRIPT FLUSH, 50 concurrent calls of two scripts cause one reload per script and all succeed', async () => {
  const cp = new RedisCheckpoint(testConfig(randomName('flush')), { address: redis.server.address });
  const all = shards(50);
  await Promise.all(all.map((s) => takeOrRenewLease(cp, s, 'w1')));
  await redis.raw.scriptFlush();
  const sent = counter(cp);
  const evalBefore = await serverCalls('eval');
  // 40 renewals (renew-lease.lua) and 10 checkpoints (checkpoint.lua), all sent before any answer came.
  await Promise.all(
    all.map((s, i) => {
      if (i < 40) return takeOrRenewLease(cp, s, 'w1');
      s.checkpoint = String(1000 + i);
      return cp.checkpointSequence(s);
    }),
  );
  expect(sent('SCRIPT')).toBe(2); // one SCRIPT LOAD per script, shared by every call that got NOSCRIPT
  expect(sent('EVAL')).toBe(0);
  expect(sent('EVALSHA')).toBe(100); // each call: NOSCRIPT, then again after the load
  expect(await serverCalls('eval')).toBe(evalBefore);
  expect(all.slice(0, 40).every((s) => s.leaseCounter === 2)).toBe(true);
  const stored = (await cp.listLeases()).filter((l) => l.checkpoint !== undefined);
  expect(stored).toHaveLength(10);
  // Cached again: no further loads.
  await takeOrRenewLease(cp, all[0] as ShardStatus, 'w1');
  expect([sent('SCRIPT'), sent('EVALSHA')]).toEqual([2, 101]);
  await cp.close();
});

it('a user that may not SCRIPT LOAD: init still succeeds and the scripts are sent by EVAL', async () => {
  await redis.raw.sendCommand(['ACL', 'SETUSER', 'kcl-noload', 'on', '>NoLoad-Pass-1', '~*', '&*', '+@all', '-script|load']);
  await redis.raw.scriptFlush();
  const cp = new RedisCheckpoint(testConfig(randomName('acl')), {
    address: redis.server.address,
    username: 'kcl-noload',
    password: 'NoLoad-Pass-1',
  });
  await cp.init();
  const sent = counter(cp);
  const all = shards(5);
  await Promise.all(all.map((s) => takeOrRenewLease(cp, s, 'w1')));
  await takeOrRenewLease(cp, all[0] as ShardStatus, 'w1');
  expect(all.map((s) => s.leaseCounter)).toEqual([2, 1, 1, 1, 1]);
  // EVALSHA (NOSCRIPT) then EVAL while take-lease is not cached; after the first EVAL the server has it.
  expect(sent('SCRIPT')).toBe(0);
  expect(sent('EVAL')).toBeGreaterThanOrEqual(2); // take-lease and renew-lease at least once each
  expect(await redis.raw.scriptExists(loadScript('renew-lease').sha1)).toEqual([1]);
  await cp.close();
});

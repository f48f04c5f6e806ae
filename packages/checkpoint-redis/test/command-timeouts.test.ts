/**
 * Command timeouts on the hot path: the client this package opens has no node-redis per-command timer (the executor's
 * own commandTimeoutMillis applies); an injected client keeps its owner's settings.
 */
import { takeOrRenewLease } from '@kcl/core';
import { createShardStatus } from '@kcl/core';
import { createClient } from 'redis';
import { RedisCheckpoint } from '../src';
import { tableName, testConfig, useRedisServer } from './helpers';

const redis = useRedisServer();

describe('command timeouts', () => {
  it('the own client arms no node-redis AbortSignal.timeout per command (commandTimeoutMillis is the timeout)', async () => {
    const cp = new RedisCheckpoint(testConfig(tableName(), 'w'), { address: redis.server.address });
    const timeouts = jest.spyOn(AbortSignal, 'timeout');
    try {
      await cp.init();
      timeouts.mockClear();
      for (let i = 0; i < 5; i++) await takeOrRenewLease(cp, createShardStatus(`shardId-00000000000${i}`), 'w');
      const leases = await cp.listLeases();
      expect(leases).toHaveLength(5);
      // node-redis 6 would arm one 5 s timer per command (SSCAN, 5 x HGETALL, 5 lease scripts...).
      expect(timeouts).not.toHaveBeenCalled();
    } finally {
      timeouts.mockRestore();
      await cp.close();
    }
  });

  it('an injected client gets the commands without a timeout override (its own command options apply)', async () => {
    const client = createClient({ url: redis.server.url, commandOptions: { timeout: 4_000 } });
    await client.connect();
    const send = jest.spyOn(client, 'sendCommand');
    const cp = new RedisCheckpoint(testConfig(tableName(), 'w'), { client });
    try {
      await takeOrRenewLease(cp, createShardStatus('shardId-000000000001'), 'w');
      expect(send).toHaveBeenCalled();
      for (const [, options] of send.mock.calls) expect(options).toEqual({ typeMapping: {} });
    } finally {
      send.mockRestore();
      await cp.close();
      await client.close();
    }
  });
});

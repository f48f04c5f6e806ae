import { KinesisClientLibConfig } from '@kcl/core';
import { runCheckpointerConformance } from '@kcl/core/testing';
import { randomName, startRedis, type RedisServerHandle } from '@kcl/testbed';
import { RedisCheckpoint } from '../src';
import { captureLogger } from './helpers';

// A real TLS-only redis-server with requirepass: every case authenticates over rediss:// with the server's CA.
let server: RedisServerHandle;
const password = `pw-${randomName('tls')}`;

beforeAll(async () => {
  server = await startRedis({ password, tls: true });
});
afterAll(async () => {
  await server?.stop();
});

runCheckpointerConformance({
  name: 'RedisCheckpoint (TLS + AUTH)',
  create: async ({ tableName, workerId, failoverTimeMillis }) =>
    new RedisCheckpoint(
      new KinesisClientLibConfig(tableName, 'stream', 'us-east-1', workerId)
        .withFailoverTimeMillis(failoverTimeMillis)
        .withLogger(captureLogger().logger),
      { address: `rediss://${server.address}`, password, tls: { ca: server.tlsCa as string } },
    ),
});

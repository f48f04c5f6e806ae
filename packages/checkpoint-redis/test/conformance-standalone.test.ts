import { KinesisClientLibConfig } from '@kcl/core';
import { runCheckpointerConformance } from '@kcl/core/testing';
import { randomName, startRedis, type RedisServerHandle } from '@kcl/testbed';
import { RedisCheckpoint } from '../src';
import { captureLogger } from './helpers';

let server: RedisServerHandle;
const keyPrefix = randomName('conf');

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.stop();
});

runCheckpointerConformance({
  name: 'RedisCheckpoint (single redis-server)',
  create: async ({ tableName, workerId, failoverTimeMillis }) =>
    new RedisCheckpoint(
      new KinesisClientLibConfig(tableName, 'stream', 'us-east-1', workerId)
        .withFailoverTimeMillis(failoverTimeMillis)
        .withLogger(captureLogger().logger),
      { address: server.address, keyPrefix },
    ),
});

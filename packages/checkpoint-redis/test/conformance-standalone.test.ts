import { KinesisClientLibConfig } from '@kcl/core';
import { runCheckpointerConformance } from '@kcl/core/testing';
import { randomName, startRedis, useServer } from '@kcl/testbed';
import { RedisCheckpoint } from '../src';
import { captureLogger } from './helpers';

const keyPrefix = randomName('conf');

const redis = useServer(startRedis);

runCheckpointerConformance({
  name: 'RedisCheckpoint (single redis-server)',
  create: async ({ tableName, workerId, failoverTimeMillis }) =>
    new RedisCheckpoint(
      new KinesisClientLibConfig(tableName, 'stream', 'us-east-1', workerId)
        .withFailoverTimeMillis(failoverTimeMillis)
        .withLogger(captureLogger().logger),
      { address: redis().address, keyPrefix },
    ),
});

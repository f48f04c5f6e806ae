import { KinesisClientLibConfig } from '@kcl/core';
import { runCheckpointerConformance } from '@kcl/core/testing';
import { randomName, startRedis, useServer } from '@kcl/testbed';
import { RedisCheckpoint } from '../src';
import { captureLogger } from './helpers';

// A real TLS-only redis-server with requirepass: every case authenticates over rediss:// with the server's CA.
const password = `pw-${randomName('tls')}`;

const redis = useServer(() => startRedis({ password, tls: true }));

runCheckpointerConformance({
  name: 'RedisCheckpoint (TLS + AUTH)',
  create: async ({ tableName, workerId, failoverTimeMillis }) =>
    new RedisCheckpoint(
      new KinesisClientLibConfig(tableName, 'stream', 'us-east-1', workerId)
        .withFailoverTimeMillis(failoverTimeMillis)
        .withLogger(captureLogger().logger),
      { address: `rediss://${redis().address}`, password, tls: { ca: redis().tlsCa as string } },
    ),
});

import { KinesisClientLibConfig } from '@kcl/core';
import { runCheckpointerConformance } from '@kcl/core/testing';
import { startRedisCluster, type RedisClusterHandle } from '@kcl/testbed';
import { createCluster } from 'redis';
import { RedisCheckpoint } from '../src';
import { captureLogger } from './helpers';

// A 3-master Redis Cluster; every checkpointer gets the one injected cluster client (hash-tagged keys by default).
let handle: RedisClusterHandle;
let cluster: ReturnType<typeof createCluster>;

beforeAll(async () => {
  handle = await startRedisCluster({ masters: 3 });
  cluster = createCluster({ rootNodes: handle.urls.map((url) => ({ url })) });
  cluster.on('error', () => undefined);
  await cluster.connect();
}, 60_000);
afterAll(async () => {
  await cluster?.close();
  await handle?.stop();
});

runCheckpointerConformance({
  name: 'RedisCheckpoint (3-master cluster)',
  create: async ({ tableName, workerId, failoverTimeMillis }) =>
    new RedisCheckpoint(
      new KinesisClientLibConfig(tableName, 'stream', 'us-east-1', workerId)
        .withFailoverTimeMillis(failoverTimeMillis)
        .withLogger(captureLogger().logger),
      { cluster },
    ),
});

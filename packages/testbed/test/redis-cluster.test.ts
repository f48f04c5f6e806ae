import { createCluster } from 'redis';
import { startRedisCluster, TestbedError, useServer } from '../src';
import { redisCommand } from '../src/redis-command';

describe('redis cluster', () => {
  const cluster = useServer(startRedisCluster);

  it('has 3 masters on 127.0.0.1 that agree the cluster is ok', async () => {
    expect(cluster().nodes).toHaveLength(3);
    expect(cluster().urls).toEqual(cluster().nodes.map((node) => `redis://127.0.0.1:${node.port}`));
    for (const node of cluster().nodes) {
      const info = await redisCommand(node, ['CLUSTER', 'INFO']);
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_slots_assigned:16384');
      expect(info).toContain('cluster_size:3');
    }
  });

  it('serves SET/GET through node-redis createCluster on keys in different slots', async () => {
    const redis = createCluster({ rootNodes: cluster().urls.map((url) => ({ url })) });
    redis.on('error', () => undefined);
    await redis.connect();
    try {
      const keys = Array.from({ length: 30 }, (_, i) => `kcl-test:cluster:${i}`);
      for (const key of keys) await redis.set(key, `value of ${key}`);
      for (const key of keys) expect(await redis.get(key)).toBe(`value of ${key}`);
    } finally {
      redis.destroy();
    }
    // the keys really are spread over all masters
    const sizes = await Promise.all(cluster().nodes.map(async (node) => Number(await redisCommand(node, ['DBSIZE']))));
    expect(sizes.every((size) => size > 0)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(30);
  });

  it('rejects a bad master count with a TestbedError', async () => {
    await expect(startRedisCluster({ masters: 0 })).rejects.toThrow(TestbedError);
  });
});

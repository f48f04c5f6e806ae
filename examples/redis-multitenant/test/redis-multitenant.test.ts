import { join } from 'node:path';
import { runExample } from '@kcl/example-support/testing';
import { startRedis, type RedisServerHandle } from '@kcl/testbed';
import { createClient } from 'redis';

const dir = join(__dirname, '..');
const SHARDS = ['shardId-000000000000', 'shardId-000000000001'];

describe('redis-multitenant example', () => {
  let redis: RedisServerHandle;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('lets both tenants consume every record from one shared Redis, with disjoint keys', async () => {
    const result = await runExample({ dir, args: ['--records', '50'], env: { KCL_REDIS_URL: redis.url } });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`redis ${redis.url} (given)`);
    expect(result.stdout).toMatch(/^\[acme\] consumed 50 of 50 sample records/m);
    expect(result.stdout).toMatch(/^\[globex\] consumed 50 of 50 sample records/m);
    expect(result.stderr).not.toContain('"level":"error"');
    const table = /key acme:(orders-[0-9a-f]{6}):shard:/.exec(result.stdout)?.[1];
    expect(table).toBeDefined();

    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const keys: string[] = [];
      for await (const batch of client.scanIterator({ MATCH: '*', COUNT: 100 })) keys.push(...batch);
      const acme = keys.filter((key) => key.startsWith('acme:')).sort();
      const globex = keys.filter((key) => key.startsWith('globex:')).sort();
      // Every key belongs to exactly one tenant, and each tenant has its own complete lease table.
      expect(acme.length + globex.length).toBe(keys.length);
      expect(acme.filter((key) => globex.includes(key))).toEqual([]);
      for (const [tenant, tenantKeys] of [
        ['acme', acme],
        ['globex', globex],
      ] as const) {
        // The shard hashes and set (go-kcl's layout) plus the leader hash of fleet coordination, released; the worker
        // registry and the owner sets are gone after the graceful shutdowns.
        expect(tenantKeys).toEqual([
          `${tenant}:${table}:leader`,
          `${tenant}:${table}:shard:${SHARDS[0]}`,
          `${tenant}:${table}:shard:${SHARDS[1]}`,
          `${tenant}:${table}:shards`,
        ]);
        expect((await client.hGetAll(`${tenant}:${table}:leader`)).AssignedTo).toBeUndefined();
      }
      // Both read the whole stream on their own: each checkpointed every shard, and released its leases.
      for (const shard of SHARDS) {
        const [a, g] = await Promise.all([client.hGetAll(`acme:${table}:shard:${shard}`), client.hGetAll(`globex:${table}:shard:${shard}`)]);
        expect(a.Checkpoint).toMatch(/^\d+$/);
        expect(g.Checkpoint).toBe(a.Checkpoint);
        expect(a.AssignedTo).toBeUndefined();
        expect(g.AssignedTo).toBeUndefined();
      }
    } finally {
      await client.close();
    }
  });
});

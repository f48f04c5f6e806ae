import { join } from 'node:path';
import { putSampleRecords } from '@kcl/example-support';
import { runExample, startExample } from '@kcl/example-support/testing';
import { createTestStream, localKinesisClient, startKinesalite, startRedis, waitFor, type LocalServer, type RedisServerHandle } from '@kcl/testbed';
import { createClient } from 'redis';

const dir = join(__dirname, '..');

/** Sum of the "shardId-...: N records" lines the example printed. */
function recordsPrinted(stdout: string): number {
  return [...stdout.matchAll(/^shardId-\d+: (\d+) records/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

describe('redis-consumer example', () => {
  it('consumes every sample record on its own local test bed (redis-server included) and exits 0', async () => {
    const result = await runExample({ dir, args: ['--records', '50'] });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^local test bed: kinesis http:\/\/127\.0\.0\.1:\d+, redis redis:\/\/127\.0\.0\.1:\d+$/m);
    expect(result.stdout).toMatch(/leases in Redis under kcl:redis-consumer-example-[0-9a-f]{6}:\*/);
    expect(recordsPrinted(result.stdout)).toBeGreaterThanOrEqual(50);
    expect(result.stdout).toContain('stopping: all 50 sample records consumed');
    expect(result.stdout).toMatch(/^\[redis-consumer\] consumed 50 of 50 sample records/m);
    expect(result.stderr).not.toContain('"level":"error"');
  });

  describe('in AWS mode (KCL_STREAM_NAME, AWS_REGION, AWS_ACCESS_KEY_ID), pointed at emulators', () => {
    let kinesis: LocalServer;
    let redis: RedisServerHandle;
    let streamName: string;
    beforeAll(async () => {
      [kinesis, redis] = await Promise.all([startKinesalite(), startRedis()]);
      const client = localKinesisClient(kinesis.endpoint);
      try {
        streamName = await createTestStream(client, { shardCount: 2 });
        await putSampleRecords(client, streamName, 0, 40);
      } finally {
        client.destroy();
      }
    });
    afterAll(async () => {
      await Promise.all([kinesis?.stop(), redis?.stop()]);
    });

    it('consumes the existing stream until SIGINT, starts nothing itself, and checkpoints under the application name', async () => {
      const run = startExample({
        dir,
        env: {
          KCL_STREAM_NAME: streamName,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'example',
          AWS_SECRET_ACCESS_KEY: 'example',
          KCL_KINESIS_ENDPOINT: kinesis.endpoint,
          KCL_REDIS_URL: redis.url,
        },
      });
      await run.waitForOutput(new RegExp(`^AWS mode: consuming stream ${streamName} in us-east-1 until Ctrl-C$`, 'm'));
      await waitFor(() => recordsPrinted(run.stdout()) >= 40, '40 records', 20_000, 50);
      run.child.kill('SIGINT');
      const result = await run.exited;

      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain('local test bed');
      expect(result.stdout).toContain('stopping: SIGINT');
      expect(result.stdout).toMatch(/^\[redis-consumer\] consumed 40 records/m);

      const client = createClient({ url: redis.url });
      await client.connect();
      try {
        // On AWS the table name is the application name: no per-run suffix.
        expect((await client.sMembers('kcl:redis-consumer-example:shards')).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
        for (const shard of ['shardId-000000000000', 'shardId-000000000001']) {
          const lease = await client.hGetAll(`kcl:redis-consumer-example:shard:${shard}`);
          expect(lease.Checkpoint).toMatch(/^\d+$/);
          expect(lease.AssignedTo).toBeUndefined(); // released on SIGINT
        }
      } finally {
        await client.close();
      }
    });
  });
});

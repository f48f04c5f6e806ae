import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { runExample } from '@kcl/example-support/testing';
import { localDynamoClient, startDynalite, startKinesalite, type LocalServer } from '@kcl/testbed';

const dir = join(__dirname, '..');

/** The winston logger writes JSON lines to stderr; an error-level line means something went wrong. */
function errorLogLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.includes('"level":"error"'));
}

describe('dynamodb-consumer example', () => {
  it('consumes every sample record on its own local test bed and exits 0', async () => {
    const result = await runExample({ dir, args: ['--records', '50'] });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^local test bed: kinesis http:\/\/127\.0\.0\.1:\d+, dynamodb http:\/\/127\.0\.0\.1:\d+$/m);
    expect(result.stdout).toContain('lease acquired: shardId-000000000000');
    expect(result.stdout).toContain('lease acquired: shardId-000000000001');
    expect(result.stdout).toContain('stopping: all 50 sample records consumed');
    expect(result.stdout.match(/processor shutdown \(REQUESTED\)/g)).toHaveLength(2);
    expect(result.stdout).toMatch(/^\[dynamodb-consumer\] consumed 50 of 50 sample records \(\d+ deliveries\)$/m);
    expect(errorLogLines(result.stderr)).toEqual([]);
  });

  describe('with stand-ins that are already running (KCL_KINESIS_ENDPOINT, KCL_DYNAMODB_ENDPOINT)', () => {
    let kinesis: LocalServer;
    let dynamo: LocalServer;
    beforeAll(async () => {
      [kinesis, dynamo] = await Promise.all([startKinesalite(), startDynalite()]);
    });
    afterAll(async () => {
      await Promise.all([kinesis?.stop(), dynamo?.stop()]);
    });

    it('uses them, and the default lease store leaves a checkpoint per shard in its table, leases released', async () => {
      const result = await runExample({
        dir,
        args: ['--records', '30'],
        env: { KCL_KINESIS_ENDPOINT: kinesis.endpoint, KCL_DYNAMODB_ENDPOINT: dynamo.endpoint },
      });

      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`local test bed: kinesis ${kinesis.endpoint} (given), dynamodb ${dynamo.endpoint} (given)`);
      expect(result.stdout).toContain('[dynamodb-consumer] consumed 30 of 30 sample records');
      const table = /leases in DynamoDB table (\S+)/.exec(result.stdout)?.[1];
      expect(table).toMatch(/^dynamodb-consumer-example-[0-9a-f]{6}$/);

      const client = localDynamoClient(dynamo.endpoint);
      try {
        const { Items = [] } = await client.send(new ScanCommand({ TableName: table }));
        const leases = Items.map((item) => ({
          shard: item.ShardID?.S,
          checkpoint: item.Checkpoint?.S,
          owner: item.AssignedTo?.S,
        })).sort((a, b) => String(a.shard).localeCompare(String(b.shard)));
        // The shard leases, plus the leader item of fleet coordination (released too, never a shard).
        expect(leases.map((lease) => lease.shard)).toEqual(['__kcl_coordination__#leader', 'shardId-000000000000', 'shardId-000000000001']);
        expect(leases[0]!.owner).toBeUndefined();
        for (const lease of leases.slice(1)) {
          expect(lease.checkpoint).toMatch(/^\d+$/); // a sequence number: the last record of the shard
          expect(lease.owner).toBeUndefined(); // released by the graceful shutdown
        }
      } finally {
        client.destroy();
      }
    });
  });
});

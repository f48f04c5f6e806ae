import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { listAllShards, localKinesisClient } from '@kcl/testbed';
import { countCalls } from '../src/scale-call-counter';
import { startKinesisStandIn, standInShards, type KinesisStandIn } from '../src/scale-kinesis-stand-in';

describe('Kinesis stand-in (engine-only mode), spoken to by the real SDK client', () => {
  let standIn: KinesisStandIn;
  beforeAll(async () => {
    standIn = await startKinesisStandIn(2_500);
  });
  afterAll(async () => {
    await standIn.close();
  });

  it('hash-key ranges cover 0 .. 2^128 - 1 without gaps', () => {
    const shards = standInShards(3);
    expect(shards[0]!.HashKeyRange.StartingHashKey).toBe('0');
    expect(shards[2]!.HashKeyRange.EndingHashKey).toBe((2n ** 128n - 1n).toString());
    expect(BigInt(shards[1]!.HashKeyRange.StartingHashKey)).toBe(BigInt(shards[0]!.HashKeyRange.EndingHashKey) + 1n);
  });

  it('pages ListShards, answers GetShardIterator and empty GetRecords; the counter sees every call', async () => {
    const client = localKinesisClient(standIn.endpoint, { maxAttempts: 1 });
    const take = countCalls(client);
    try {
      const ids = (await listAllShards(client, 'any')).map((s) => s.ShardId!);
      expect(ids).toHaveLength(2_500);
      expect(new Set(ids).size).toBe(2_500);
      expect(ids[2_499]).toBe('shardId-000000002499');

      const iterator = await client.send(
        new GetShardIteratorCommand({ StreamName: 'any', ShardId: 'shardId-000000000007', ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const records = await client.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator! }));
      expect(records.Records).toEqual([]);
      expect(records.MillisBehindLatest).toBe(0);
      expect(records.NextShardIterator).toBe(iterator.ShardIterator);

      await expect(
        client.send(new GetShardIteratorCommand({ StreamName: 'any', ShardId: 'shardId-000000009999', ShardIteratorType: 'LATEST' })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

      expect(take()).toEqual({
        calls: { ListShards: 3, GetShardIterator: 2, GetRecords: 1 },
        failures: { GetShardIterator: 1 },
        capacityUnits: 0,
        answersWithCapacity: 0,
        readCapacityUnits: 0,
      });
      expect(take().calls).toEqual({}); // counts restart after each take
      expect(standIn.requests()).toMatchObject({ ListShards: 3, GetShardIterator: 2, GetRecords: 1 });
    } finally {
      client.destroy();
    }
  });
});

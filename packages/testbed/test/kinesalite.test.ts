import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createTestStream, localKinesisClient, startKinesalite, TestbedError, type LocalServer } from '../src';

describe('kinesalite', () => {
  let server: LocalServer;
  let client: KinesisClient;

  beforeAll(async () => {
    server = await startKinesalite();
    client = localKinesisClient(server.endpoint);
  });

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('listens on a free 127.0.0.1 port with a plain http endpoint', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('round-trips a record: CreateStream, PutRecord, GetRecords', async () => {
    const stream = await createTestStream(client, { shardCount: 2 });
    expect(stream).toMatch(/^kcl-test-stream-[0-9a-f]{12}$/);
    const shards = await client.send(new ListShardsCommand({ StreamName: stream }));
    expect(shards.Shards).toHaveLength(2);

    const put = await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: 'pk-1', Data: Buffer.from('hello kinesalite') }));
    const iterator = await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: put.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const got = await client.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
    expect(got.Records).toHaveLength(1);
    expect(got.Records?.[0]?.SequenceNumber).toBe(put.SequenceNumber);
    expect(Buffer.from(got.Records?.[0]?.Data ?? []).toString()).toBe('hello kinesalite');
    expect(got.MillisBehindLatest).toBe(0);
  });

  it('allows more than kinesalite’s own default of 10 shards', async () => {
    const stream = await createTestStream(client, { shardCount: 12 });
    const shards = await client.send(new ListShardsCommand({ StreamName: stream }));
    expect(shards.Shards).toHaveLength(12);
  });

  it('rejects bad options with a TestbedError', async () => {
    await expect(startKinesalite({ shardLimit: 0 })).rejects.toThrow(TestbedError);
    await expect(startKinesalite({ createStreamMs: -1 })).rejects.toThrow(/createStreamMs must be an integer/);
  });

  it('reports a taken fixed port clearly', async () => {
    await expect(startKinesalite({ port: server.port })).rejects.toThrow(/\[kinesalite\] cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });
});

import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient, createStream, deleteStream, listAllShards, listStreams, LocalError, startLocalKinesis, type LocalServer } from '../src';

describe('startLocalKinesis (kinesalite) and the stream helpers', () => {
  let server: LocalServer;
  let client: KinesisClient;

  beforeAll(async () => {
    server = await startLocalKinesis();
    client = createKinesisClient(server.endpoint);
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

  it('round-trips a record: createStream (ACTIVE at once), PutRecord, GetRecords', async () => {
    await createStream(client, 'round-trip', { shards: 2 });
    const shards = await client.send(new ListShardsCommand({ StreamName: 'round-trip' }));
    expect(shards.Shards).toHaveLength(2);
    const put = await client.send(new PutRecordCommand({ StreamName: 'round-trip', PartitionKey: 'pk-1', Data: Buffer.from('hello') }));
    const iterator = await client.send(
      new GetShardIteratorCommand({ StreamName: 'round-trip', ShardId: put.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const got = await client.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
    expect(got.Records?.[0]?.SequenceNumber).toBe(put.SequenceNumber);
    expect(Buffer.from(got.Records?.[0]?.Data ?? []).toString()).toBe('hello');
  });

  it('allows 1000 shards by default (kinesalite’s own limit is 10), listed by listAllShards across pages', async () => {
    await createStream(client, 'wide', { shards: 120 });
    const shards = await listAllShards(client, 'wide');
    expect(shards).toHaveLength(120);
    expect(new Set(shards.map((shard) => shard.ShardId)).size).toBe(120);
  });

  it('lists and deletes streams; deleting an unknown stream is KINESIS_FAILED', async () => {
    await createStream(client, 'short-lived');
    expect(await listStreams(client)).toContain('short-lived');
    await deleteStream(client, 'short-lived');
    expect(await listStreams(client)).not.toContain('short-lived');
    await expect(deleteStream(client, 'short-lived')).rejects.toMatchObject({
      code: 'KINESIS_FAILED',
      message: expect.stringMatching(/ResourceNotFound/),
    });
  });

  it('waits for ACTIVE when the stand-in keeps new streams CREATING', async () => {
    const slow = await startLocalKinesis({ createStreamMs: 200 });
    const slowClient = createKinesisClient(slow.endpoint);
    try {
      await createStream(slowClient, 'slow');
      expect((await listAllShards(slowClient, 'slow')).length).toBe(1);
    } finally {
      slowClient.destroy();
      await slow.stop();
    }
  });

  it('rejects bad options with LOCAL_BAD_OPTION naming the option', async () => {
    await expect(startLocalKinesis({ shardLimit: 0 })).rejects.toMatchObject({
      code: 'LOCAL_BAD_OPTION',
      message: expect.stringMatching(/shardLimit must be an integer/),
    });
    await expect(startLocalKinesis({ port: 70000 })).rejects.toThrow(LocalError);
    await expect(createStream(client, 'bad name')).rejects.toMatchObject({ code: 'LOCAL_BAD_OPTION' });
    await expect(createStream(client, 'ok', { shards: 0 })).rejects.toMatchObject({
      code: 'LOCAL_BAD_OPTION',
      message: expect.stringMatching(/shards/),
    });
  });

  it('reports a taken fixed port as PORT_IN_USE', async () => {
    await expect(startLocalKinesis({ port: server.port })).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      message: expect.stringMatching(/^\[kinesis\] cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/),
    });
  });
});

import {
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  UpdateShardCountCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { createTestStream, localKinesisClient, randomName, startKinesisLocal, waitFor, type KinesisLocalServer } from '../src';
import { listeningAddresses, processAlive, waitForProcessExit } from './support';

describe('kinesis-local', () => {
  let server: KinesisLocalServer;
  let client: KinesisClient;
  let startupMs: number;

  beforeAll(async () => {
    const began = Date.now();
    server = await startKinesisLocal();
    startupMs = Date.now() - began;
    client = localKinesisClient(server.endpoint);
  });

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('starts within a few seconds and serves plain http on 127.0.0.1 only', () => {
    expect(startupMs).toBeLessThan(15_000);
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.tlsEndpoint).toBe(`https://127.0.0.1:${server.tlsPort}`);
    // the preload patch turns its wildcard binds into loopback binds
    expect(listeningAddresses(server.port)).toEqual(['127.0.0.1']);
    expect(listeningAddresses(server.tlsPort)).toEqual(['127.0.0.1']);
  });

  it('reshards with UpdateShardCount and reports ChildShards with parent ids at shard end', async () => {
    const stream = await createTestStream(client, { shardCount: 1 });
    const before = await client.send(new ListShardsCommand({ StreamName: stream }));
    expect(before.Shards).toHaveLength(1);
    const parent = before.Shards?.[0] as Shard;
    await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: 'pk', Data: Buffer.from('before') }));

    await client.send(new UpdateShardCountCommand({ StreamName: stream, TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }));
    await waitFor(
      async () => {
        const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
        return summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE' && summary.StreamDescriptionSummary.OpenShardCount === 2;
      },
      'UpdateShardCount to finish',
      15_000,
      25,
    );

    const after = await client.send(new ListShardsCommand({ StreamName: stream }));
    const children = (after.Shards ?? []).filter((shard) => shard.ParentShardId === parent.ShardId);
    expect(children).toHaveLength(2);

    // Read the closed parent to its end: the last GetRecords has no next iterator and names the children.
    let iterator = (
      await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: parent.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))
    ).ShardIterator;
    const data: string[] = [];
    let childShards: string[] = [];
    for (let i = 0; iterator !== undefined && i < 20; i++) {
      const got = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      data.push(...(got.Records ?? []).map((record) => Buffer.from(record.Data ?? []).toString()));
      if (got.ChildShards?.length) childShards = got.ChildShards.map((child) => child.ShardId ?? '');
      iterator = got.NextShardIterator;
    }
    expect(iterator).toBeUndefined();
    expect(data).toEqual(['before']);
    expect(childShards.sort()).toEqual(children.map((child) => child.ShardId).sort());
  });

  it('registers an enhanced fan-out consumer that becomes ACTIVE quickly', async () => {
    const stream = await createTestStream(client);
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    const streamArn = summary.StreamDescriptionSummary?.StreamARN;
    const registered = await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: randomName('efo') }));
    const consumerArn = registered.Consumer?.ConsumerARN;
    await waitFor(
      async () => {
        const described = await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }));
        return described.ConsumerDescription?.ConsumerStatus === 'ACTIVE';
      },
      'consumer ACTIVE',
      5000,
      25,
    );
  });

  it('kills the child process on stop()', async () => {
    const other = await startKinesisLocal();
    expect(processAlive(other.pid)).toBe(true);
    await other.stop();
    await waitForProcessExit(other.pid, 1000);
  });
});

import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  ProvisionedThroughputExceededException,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  createTestStream,
  injectKinesisFaults,
  kinesisFaultError,
  localKinesisClient,
  startKinesalite,
  type KinesisCall,
  type LocalServer,
} from '../src';

describe('kinesisFaultError', () => {
  it('builds the errors the SDK raises, with their names, sides and statuses', () => {
    expect(kinesisFaultError('throttled')).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(kinesisFaultError('expiredIterator')).toBeInstanceOf(ExpiredIteratorException);
    expect(kinesisFaultError('internalError')).toMatchObject({ name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    expect(kinesisFaultError('serviceUnavailable')).toMatchObject({
      name: 'ServiceUnavailable',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
    });
  });
});

describe('injectKinesisFaults (kinesalite)', () => {
  let server: LocalServer;
  let client: KinesisClient;

  beforeAll(async () => {
    server = await startKinesalite();
    client = localKinesisClient(server.endpoint, { maxAttempts: 1 });
  });

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('numbers calls per command and shard (GetRecords by its iterator) and fails the ones decide picks', async () => {
    const stream = await createTestStream(client, { shardCount: 2 });
    const seen: KinesisCall[] = [];
    const counters = injectKinesisFaults(client, (call) => {
      seen.push(call);
      return call.command === 'GetRecordsCommand' && call.call === 2 ? 'throttled' : undefined;
    });
    await client.send(new ListShardsCommand({ StreamName: stream }));
    const iterator = async (shardId: string): Promise<string> =>
      (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator!;
    const first = await client.send(new GetRecordsCommand({ ShardIterator: await iterator('shardId-000000000000') }));
    await client.send(new GetRecordsCommand({ ShardIterator: await iterator('shardId-000000000001') }));
    await expect(client.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator! }))).rejects.toBeInstanceOf(
      ProvisionedThroughputExceededException,
    );

    expect(seen[0]).toEqual({ command: 'ListShardsCommand', shardId: undefined, call: 0 });
    expect(seen.filter((c) => c.command === 'GetRecordsCommand').map((c) => `${c.shardId} ${c.call}`)).toEqual([
      'shardId-000000000000 1',
      'shardId-000000000001 1',
      'shardId-000000000000 2',
    ]);
    expect(counters.injected).toEqual(new Map([['throttled', 1]]));
    expect(counters.calls.get('GetShardIteratorCommand shardId-000000000001')).toBe(1);
  });
});

import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { InitialPositionInStream, InvalidArgumentError, KinesisClientLibConfig } from '@kcl/core';
import { localKinesisClient, startKinesalite, type LocalServer } from '@kcl/testbed';
import { exampleEnvironment, LOCAL_TIMINGS, type ExampleEnvironment } from '../src/environment';

/** Every record in the stream, read from TRIM_HORIZON on every shard. */
async function streamRecordCount(client: KinesisClient, streamName: string): Promise<{ shards: number; records: number }> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: streamName }));
  let records = 0;
  for (const shard of Shards) {
    let iterator = (
      await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))
    ).ShardIterator;
    for (;;) {
      const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records += out.Records?.length ?? 0;
      if ((out.Records?.length ?? 0) === 0 || !out.NextShardIterator) break;
      iterator = out.NextShardIterator;
    }
  }
  return { shards: Shards.length, records };
}

async function isListening(endpoint: string): Promise<boolean> {
  return fetch(endpoint, { method: 'POST' }).then(
    () => true,
    () => false,
  );
}

const newConfig = (env: ExampleEnvironment) => new KinesisClientLibConfig('orders-app', env.streamName, env.region, 'w1');

describe('exampleEnvironment on the local test bed', () => {
  let kinesis: LocalServer;
  let client: KinesisClient;
  beforeAll(async () => {
    kinesis = await startKinesalite();
    client = localKinesisClient(kinesis.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await kinesis?.stop();
  });

  it('starts its stand-ins, fills a 2-shard stream with the sample, and stops them again on close()', async () => {
    const lines: string[] = [];
    const env = await exampleEnvironment({ store: 'dynamodb', argv: ['--records', '25'], env: {}, print: (line) => lines.push(line) });
    try {
      expect(env.mode).toBe('local');
      expect(env.streamName).toMatch(/^kcl-example-[0-9a-f]{6}$/);
      const endpoints = /^local test bed: kinesis (http:\S+), dynamodb (http:\S+)$/.exec(lines[0] ?? '');
      expect(endpoints).not.toBeNull();
      const own = localKinesisClient(endpoints![1]!);
      try {
        expect(await streamRecordCount(own, env.streamName)).toEqual({ shards: 2, records: 25 });
      } finally {
        own.destroy();
      }

      const config = env.applyTo(newConfig(env).withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON));
      expect(config.kinesisEndpoint).toBe(endpoints![1]);
      expect(config.dynamoDBEndpoint).toBe(endpoints![2]);
      expect(config.tableName).toBe(`orders-app-${env.streamName.slice('kcl-example-'.length)}`);
      expect(config.failoverTimeMillis).toBe(LOCAL_TIMINGS.failoverTimeMillis);
      expect(config.leaseRefreshPeriodMillis).toBe(LOCAL_TIMINGS.leaseRefreshPeriodMillis);
      expect(config.kinesisCredentials).toMatchObject({ accessKeyId: 'kcl-local', secretAccessKey: 'kcl-local' });
      expect(() => env.redisUrl).toThrow(InvalidArgumentError);
      env.tally('orders').add([{ sequenceNumber: '1' }]);

      await env.close();
      expect(await isListening(endpoints![1]!)).toBe(false);
      expect(await isListening(endpoints![2]!)).toBe(false);
      expect(lines.at(-1)).toBe('[orders] consumed 1 of 25 sample records (1 deliveries)');
    } finally {
      await env.close(); // a second call is harmless
    }
  });

  it('uses a running Kinesis given by KCL_KINESIS_ENDPOINT, and starts only redis-server for a Redis example', async () => {
    const lines: string[] = [];
    const env = await exampleEnvironment({
      store: 'redis',
      argv: ['--records', '5'],
      env: { KCL_KINESIS_ENDPOINT: kinesis.endpoint },
      print: (line) => lines.push(line),
    });
    try {
      expect(lines[0]).toMatch(new RegExp(`^local test bed: kinesis ${kinesis.endpoint} \\(given\\), redis redis://127\\.0\\.0\\.1:\\d+$`));
      expect(env.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(await streamRecordCount(client, env.streamName)).toEqual({ shards: 2, records: 5 });
      expect(env.applyTo(newConfig(env)).dynamoDBEndpoint).toBeUndefined();
    } finally {
      await env.close();
    }
    expect(await isListening(kinesis.endpoint)).toBe(true); // not ours to stop
  });

  it('sampleConsumed() resolves once every tally saw the whole sample', async () => {
    const env = await exampleEnvironment({
      store: 'dynamodb',
      argv: ['--records', '2'],
      env: { KCL_KINESIS_ENDPOINT: kinesis.endpoint },
      print: () => undefined,
    });
    try {
      const a = env.tally('a');
      const b = env.tally('b');
      const consumed = env.sampleConsumed();
      a.add([{ sequenceNumber: '1' }, { sequenceNumber: '2' }]);
      b.add([{ sequenceNumber: '1' }]);
      const early = await Promise.race([consumed, new Promise((resolve) => setTimeout(() => resolve('pending'), 20))]);
      expect(early).toBe('pending');
      b.add([{ sequenceNumber: '2' }]);
      await expect(consumed).resolves.toBe('all 2 sample records consumed');
    } finally {
      await env.close();
    }
  });

  it('sampleConsumed() rejects after --timeout-seconds, saying what was consumed', async () => {
    const env = await exampleEnvironment({
      store: 'dynamodb',
      argv: ['--records', '3', '--timeout-seconds', '1'],
      env: { KCL_KINESIS_ENDPOINT: kinesis.endpoint },
      print: () => undefined,
    });
    try {
      env.tally('slow').add([{ sequenceNumber: '1' }]);
      await expect(env.sampleConsumed()).rejects.toThrow('sample not consumed within 1 s: [slow] consumed 1 of 3 sample records');
    } finally {
      await env.close();
    }
  });

  it('with --forever keeps writing --rate records a second until close()', async () => {
    const env = await exampleEnvironment({
      store: 'dynamodb',
      argv: ['--records', '10', '--forever', '--rate', '40'],
      env: { KCL_KINESIS_ENDPOINT: kinesis.endpoint },
      print: () => undefined,
    });
    let afterClose: number;
    try {
      const deadline = Date.now() + 5_000;
      while ((await streamRecordCount(client, env.streamName)).records < 50) {
        if (Date.now() > deadline) throw new Error('the producer wrote nothing after the sample');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(env.tally('forever').target).toBeUndefined();
    } finally {
      await env.close();
      afterClose = (await streamRecordCount(client, env.streamName)).records;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await streamRecordCount(client, env.streamName)).records).toBe(afterClose);
  });
});

describe('exampleEnvironment in AWS mode', () => {
  const aws = { KCL_STREAM_NAME: 'orders', AWS_REGION: 'eu-central-1', AWS_PROFILE: 'dev', KCL_REDIS_URL: 'rediss://:pw@cache.example.com:6379' };

  it('starts nothing, keeps the configured names, and runs until a signal', async () => {
    const lines: string[] = [];
    const env = await exampleEnvironment({ store: 'redis', argv: [], env: aws, print: (line) => lines.push(line) });
    try {
      expect(lines).toEqual(['AWS mode: consuming stream orders in eu-central-1 until Ctrl-C']);
      expect(env).toMatchObject({ mode: 'aws', streamName: 'orders', region: 'eu-central-1', redisUrl: aws.KCL_REDIS_URL });
      const config = env.applyTo(newConfig(env));
      expect(config.tableName).toBe('orders-app');
      expect(config.kinesisEndpoint).toBeUndefined();
      expect(config.kinesisCredentials).toBeUndefined(); // the SDK's default chain
      expect(config.failoverTimeMillis).toBe(10_000);
      env.tally('orders');
      const settled = await Promise.race([env.sampleConsumed(), new Promise((resolve) => setTimeout(() => resolve('pending'), 50))]);
      expect(settled).toBe('pending');
    } finally {
      await env.close();
    }
  });
});

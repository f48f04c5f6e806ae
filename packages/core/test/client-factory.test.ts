import { CreateStreamCommand, DescribeStreamSummaryCommand, ListShardsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { randomName, startKinesalite } from '@kcl/testbed';
import type { LocalServer } from '@kcl/testbed';
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import { ConfigError } from '../src/errors';
import { createKinesisClient } from '../src/kinesis/client-factory';

const creds = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
const config = (region = 'us-east-1'): KinesisClientLibConfig => new KinesisClientLibConfig('app', 'stream', region, 'w1');

async function resolvedEndpoint(client: KinesisClient): Promise<string | undefined> {
  const provider = client.config.endpoint as (() => Promise<{ protocol: string; hostname: string; port?: number; path: string }>) | undefined;
  if (!provider) return undefined;
  const ep = await provider();
  return `${ep.protocol}//${ep.hostname}${ep.port ? `:${ep.port}` : ''}${ep.path}`;
}

describe('createKinesisClient (resolved configuration)', () => {
  it('uses region, endpoint and an HTTP/1.1 NodeHttpHandler for http:// endpoints', async () => {
    const client = createKinesisClient(config('eu-west-1').withKinesisEndpoint('http://127.0.0.1:4567'));
    expect(await client.config.region()).toBe('eu-west-1');
    expect(await resolvedEndpoint(client)).toBe('http://127.0.0.1:4567/');
    expect(client.config.requestHandler).toBeInstanceOf(NodeHttpHandler);
    client.destroy();
  });

  it('keeps the SDK default (HTTP/2) handler for https:// endpoints and for AWS', async () => {
    const custom = createKinesisClient(config().withKinesisEndpoint('https://kinesis.vpce.example.com'));
    expect(await resolvedEndpoint(custom)).toBe('https://kinesis.vpce.example.com/');
    expect(custom.config.requestHandler).not.toBeInstanceOf(NodeHttpHandler);
    expect(custom.config.requestHandler.constructor.name).toBe('NodeHttp2Handler');
    const aws = createKinesisClient(config('ap-southeast-2'));
    expect(await aws.config.region()).toBe('ap-southeast-2');
    expect(aws.config.requestHandler.constructor.name).toBe('NodeHttp2Handler');
    custom.destroy();
    aws.destroy();
  });

  it('makes maxRetryCount + 1 attempts per call (SDK standard retry)', async () => {
    const byDefault = createKinesisClient(config());
    expect(await byDefault.config.maxAttempts()).toBe(6);
    const noRetries = createKinesisClient(config().withMaxRetryCount(0));
    expect(await noRetries.config.maxAttempts()).toBe(1);
    expect(await noRetries.config.retryStrategy()).toMatchObject({ mode: 'standard' });
    byDefault.destroy();
    noRetries.destroy();
  });

  it('really makes maxRetryCount + 1 attempts against a server that keeps failing', async () => {
    let requests = 0;
    const failing = createServer((req, res) => {
      requests++;
      req.resume();
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'InternalFailure', message: 'injected' }));
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const { port } = failing.address() as AddressInfo;
    const client = createKinesisClient(
      config().withKinesisEndpoint(`http://127.0.0.1:${port}`).withKinesisCredentials(creds).withMaxRetryCount(2),
    );
    try {
      await expect(client.send(new ListShardsCommand({ StreamName: 'x' }))).rejects.toMatchObject({ name: 'InternalFailure' });
      expect(requests).toBe(3);
    } finally {
      client.destroy();
      await new Promise((resolve) => failing.close(resolve));
    }
  });

  it('passes static credentials and credential providers through', async () => {
    const staticClient = createKinesisClient(config().withKinesisCredentials(creds));
    expect(await staticClient.config.credentials()).toMatchObject(creds);
    const provider = jest.fn(async () => ({ ...creds, sessionToken: 'token' }));
    const providerClient = createKinesisClient(config().withCredentials(provider));
    expect(await providerClient.config.credentials()).toMatchObject({ sessionToken: 'token' });
    expect(provider).toHaveBeenCalled();
    staticClient.destroy();
    providerClient.destroy();
  });

  it('rejects invalid fields assigned directly with a ConfigError', () => {
    const bad = config();
    bad.kinesisEndpoint = 'localhost:4567';
    expect(() => createKinesisClient(bad)).toThrow(ConfigError);
    const badRetries = config();
    badRetries.maxRetryCount = -1;
    expect(() => createKinesisClient(badRetries)).toThrow(/maxRetryCount/);
  });
});

describe('createKinesisClient against kinesalite', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startKinesalite();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates a stream, puts a record and lists shards over plain HTTP', async () => {
    const client = createKinesisClient(config().withKinesisEndpoint(server.endpoint).withKinesisCredentials(creds));
    const streamName = randomName('client-factory');
    try {
      await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 2 }));
      for (let i = 0; i < 100; i++) {
        const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
        if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const put = await client.send(
        new PutRecordCommand({ StreamName: streamName, PartitionKey: 'pk', Data: new TextEncoder().encode('hello') }),
      );
      expect(put.SequenceNumber).toMatch(/^\d+$/);
      const shards = await client.send(new ListShardsCommand({ StreamName: streamName }));
      expect(shards.Shards?.map((s) => s.ShardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    } finally {
      client.destroy();
    }
  });
});

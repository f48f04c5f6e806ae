import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { KinesisError, RetryExhaustedError } from '../src/errors';
import { createKinesisClient } from '../src/kinesis/client-factory';
import { listAllShards } from '../src/shards/list-shards';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../src/testing';
import { Worker } from '../src/worker/worker';
import { TestProcessorFactory, workerConfig } from './helpers/worker-harness';

// The SDK's own CredentialsProviderError (what its default provider chain throws when it finds no credentials), loaded
// from where @aws-sdk/client-kinesis resolves it.
const { CredentialsProviderError } = require(
  require.resolve('@smithy/core/config', { paths: [dirname(require.resolve('@aws-sdk/client-kinesis'))] }),
) as { CredentialsProviderError: new (message: string, options?: { tryNextLink?: boolean }) => Error };

// Nothing listens there: no request is ever sent without credentials.
const UNUSED_ENDPOINT = 'http://127.0.0.1:9';

function clientWithoutCredentials(streamName: string) {
  const calls = { count: 0 };
  const config = workerConfig(streamName, 'w1')
    .withKinesisEndpoint(UNUSED_ENDPOINT)
    .withKinesisCredentials(async () => {
      calls.count++;
      throw new CredentialsProviderError('Could not load credentials from any providers', { tryNextLink: false });
    });
  return { config, calls, kinesis: createKinesisClient(config) };
}

describe('Kinesis calls without credentials', () => {
  it('the SDK error really is a CredentialsProviderError', async () => {
    const { kinesis } = clientWithoutCredentials('s');
    try {
      await expect(kinesis.send(new ListShardsCommand({ StreamName: 's' }))).rejects.toMatchObject({ name: 'CredentialsProviderError' });
    } finally {
      kinesis.destroy();
    }
  });

  it('ListShards fails with one non-retryable KinesisError that says what to configure', async () => {
    const { kinesis } = clientWithoutCredentials('orders');
    try {
      const error = await listAllShards(kinesis, 'orders').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KinesisError);
      expect((error as KinesisError).retryable).toBe(false);
      expect((error as Error).message).toMatch(/No AWS credentials for Kinesis/);
      expect((error as Error).message).toContain('orders');
      expect((error as Error).message).toContain('withKinesisCredentials');
      expect((error as Error).cause).toMatchObject({ name: 'CredentialsProviderError' });
    } finally {
      kinesis.destroy();
    }
  });

  it('worker.start() rejects with that KinesisError at once, not a RetryExhaustedError repeating it', async () => {
    const { config, calls, kinesis } = clientWithoutCredentials('orders');
    const checkpointer = new InMemoryCheckpointer(new InMemoryLeaseTable(), { workerId: 'w1', failoverTimeMillis: config.failoverTimeMillis });
    const worker = new Worker(new TestProcessorFactory(), config).withKinesis(kinesis).withCheckpointer(checkpointer);
    try {
      const error = await worker.start().catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(RetryExhaustedError);
      expect(error).toBeInstanceOf(KinesisError);
      expect((error as Error).message).toMatch(/No AWS credentials for Kinesis/);
      expect(calls.count).toBe(1);
      expect(worker.state).toBe('new');
    } finally {
      kinesis.destroy();
    }
  });

  it('credentials Kinesis rejects (UnrecognizedClientException) also fail ListShards at once, not retryable', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const config = workerConfig('orders', 'w1')
      .withKinesisEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
      .withKinesisCredentials({ accessKeyId: 'AKIDWRONG', secretAccessKey: 'wrong' });
    const kinesis = createKinesisClient(config);
    try {
      const error = await listAllShards(kinesis, 'orders').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KinesisError);
      expect((error as KinesisError).retryable).toBe(false);
      expect((error as Error).message).toMatch(/Kinesis rejected the AWS credentials .*UnrecognizedClientException/);
      expect(requests).toBe(1);
    } finally {
      kinesis.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

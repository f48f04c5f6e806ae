/** GetRecordsSender: one resolved SDK middleware chain per consumer, same results, signal and middleware as send(). */
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisClient as KinesisClientType } from '@aws-sdk/client-kinesis';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetRecordsSender } from '../src/consumers/get-records-sender';
import { createKinesisClient } from '../src/kinesis/client-factory';
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import { newClient, payloads, putRecords, startKinesisFixture, trackCalls } from './helpers/consumer-kinesis';
import { createTestStream } from '@kcl/testbed';
import { useServerFixture } from './helpers/kinesis-fixture';

const SHARD = 'shardId-000000000000';
const fx = useServerFixture(startKinesisFixture);

async function iteratorOf(client: KinesisClientType, stream: string): Promise<string> {
  const out = await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: SHARD, ShardIteratorType: 'TRIM_HORIZON' }));
  return out.ShardIterator!;
}

describe('GetRecordsSender', () => {
  test('resolves the middleware chain once for all calls; records, iterators and client middleware as with send()', async () => {
    const stream = await createTestStream(fx.kinesis);
    const put = await putRecords(fx.kinesis, stream, payloads(6));
    const client = newClient(fx);
    const seen = trackCalls(client, 'GetRecordsCommand');
    const resolve = jest.spyOn(GetRecordsCommand.prototype, 'resolveMiddleware');
    try {
      const sender = new GetRecordsSender(client, new AbortController().signal);
      expect(sender.throughSend).toBe(false);
      let iterator = await iteratorOf(client, stream);
      const read: string[] = [];
      for (let i = 0; i < 6; i++) {
        const out = await sender.send({ ShardIterator: iterator, Limit: 1 });
        read.push(...(out.Records ?? []).map((r) => r.SequenceNumber!));
        iterator = out.NextShardIterator!;
      }
      expect(read).toEqual(put.map((p) => p.sequenceNumber));
      expect(resolve).toHaveBeenCalledTimes(1); // send() resolves it on every call
      expect(seen).toHaveLength(6); // middleware of the client ran for every call
    } finally {
      resolve.mockRestore();
      client.destroy();
    }
  });

  test('the consumer signal aborts a call in flight', async () => {
    const server = createServer((req) => req.resume()); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = createKinesisClient(
      new KinesisClientLibConfig('app', 'stream', 'us-east-1', 'w1')
        .withKinesisEndpoint(endpoint)
        .withKinesisCredentials({ accessKeyId: 'a', secretAccessKey: 'b' })
        .withMaxRetryCount(0),
    );
    const controller = new AbortController();
    try {
      const sender = new GetRecordsSender(client, controller.signal);
      expect(sender.throughSend).toBe(false);
      const call = sender.send({ ShardIterator: 'x' });
      setTimeout(() => controller.abort(), 50);
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      client.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a client whose send() was replaced (a spy, a wrapper) is called through send() with the signal', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(1));
    const client = newClient(fx);
    const send = jest.spyOn(client, 'send');
    const signal = new AbortController().signal;
    try {
      const sender = new GetRecordsSender(client, signal);
      expect(sender.throughSend).toBe(true);
      const out = await sender.send({ ShardIterator: await iteratorOf(client, stream) });
      expect(out.Records).toHaveLength(1);
      expect(send).toHaveBeenLastCalledWith(expect.any(GetRecordsCommand), { abortSignal: signal });
      const fake = { send: jest.fn(async () => ({ Records: [] })) } as unknown as KinesisClient;
      expect(new GetRecordsSender(fake, signal).throughSend).toBe(true);
    } finally {
      send.mockRestore();
      client.destroy();
    }
  });
});

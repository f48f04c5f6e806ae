import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  ListShardsCommand,
  PutRecordCommand,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { Http2Session, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { createTestCertificates, randomName, startKinesalite } from '@kcl/testbed';
import type { LocalServer, TestCertificates } from '@kcl/testbed';
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import { ConfigError } from '../src/errors';
import { createKinesisClient, KINESIS_HTTP_TIMEOUTS } from '../src/kinesis/client-factory';

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
    expect(custom.config.requestHandler).toBeInstanceOf(NodeHttp2Handler);
    const aws = createKinesisClient(config('ap-southeast-2'));
    expect(await aws.config.region()).toBe('ap-southeast-2');
    expect(aws.config.requestHandler).toBeInstanceOf(NodeHttp2Handler);
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
    expect(() => createKinesisClient(config(), { httpTimeouts: { requestTimeoutMillis: 0 } })).toThrow(/requestTimeoutMillis/);
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

// Local servers that misbehave the way a network or an overloaded endpoint can: never answer, answer slowly, stall.
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function withHttpServer<T>(handler: Handler, body: (endpoint: string) => Promise<T>): Promise<T> {
  const server = createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

const GET_RECORDS_BODY = JSON.stringify({ Records: [], NextShardIterator: 'iterator-2', MillisBehindLatest: 0 });
const shortTimeouts = { connectionTimeoutMillis: 1_000, requestTimeoutMillis: 300, socketIdleTimeoutMillis: 400 };

async function elapsedOf(promise: Promise<unknown>): Promise<{ error: unknown; millis: number }> {
  const started = performance.now();
  try {
    await promise;
    return { error: undefined, millis: performance.now() - started };
  } catch (error) {
    return { error, millis: performance.now() - started };
  }
}

describe('createKinesisClient socket pool (http:// endpoints)', () => {
  /**
   * A server that answers ListShards at once and holds every GetRecords open after its headers, the way a
   * SubscribeToShard subscription holds its connection for up to 5 minutes.
   */
  function holdingServer(held: ServerResponse[]) {
    return (req: IncomingMessage, res: ServerResponse): void => {
      req.resume();
      if (String(req.headers['x-amz-target']).endsWith('.GetRecords')) {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.write(GET_RECORDS_BODY.slice(0, 5));
        held.push(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ Shards: [] }));
    };
  }

  it('raises the agent’s maxSockets above the SDK default of 50 (no cap), with keep-alive', async () => {
    await withHttpServer(holdingServer([]), async (endpoint) => {
      const client = createKinesisClient(config().withKinesisEndpoint(endpoint).withKinesisCredentials(creds));
      try {
        await client.send(new ListShardsCommand({ StreamName: 'x' }));
        const { httpAgent } = (client.config.requestHandler as NodeHttpHandler).httpHandlerConfigs() as { httpAgent?: HttpAgent };
        expect(httpAgent).toBeInstanceOf(HttpAgent);
        expect(httpAgent!.maxSockets).toBe(Infinity);
        expect((httpAgent as unknown as { keepAlive: boolean }).keepAlive).toBe(true);
        // The timeouts are unchanged.
        expect((client.config.requestHandler as NodeHttpHandler).httpHandlerConfigs()).toMatchObject({
          connectionTimeout: 5_000,
          requestTimeout: 30_000,
          throwOnRequestTimeout: true,
          socketTimeout: 30_000,
        });
      } finally {
        client.destroy();
      }
    });
  });

  it('75 long-held calls (fan-out subscriptions on 75 shards) do not starve another call', async () => {
    const held: ServerResponse[] = [];
    await withHttpServer(holdingServer(held), async (endpoint) => {
      const client = createKinesisClient(config().withKinesisEndpoint(endpoint).withKinesisCredentials(creds).withMaxRetryCount(0));
      const abort = new AbortController();
      const holds = Array.from({ length: 75 }, () =>
        client.send(new GetRecordsCommand({ ShardIterator: 'held' }), { abortSignal: abort.signal }).catch(() => undefined),
      );
      try {
        const deadline = performance.now() + 5_000;
        while (held.length < 75 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        expect(held.length).toBe(75); // with the SDK default pool, only 50 reach the server
        const { error, millis } = await elapsedOf(client.send(new ListShardsCommand({ StreamName: 'x' })));
        expect(error).toBeUndefined();
        expect(millis).toBeLessThan(1_000);
      } finally {
        abort.abort();
        for (const res of held) res.destroy();
        await Promise.all(holds);
        client.destroy();
      }
    });
  });
});

describe('createKinesisClient timeouts (http:// endpoints)', () => {
  const localClient = (endpoint: string, retries = 0): KinesisClient =>
    createKinesisClient(
      config().withKinesisEndpoint(endpoint).withKinesisCredentials(creds).withMaxRetryCount(retries),
      { httpTimeouts: shortTimeouts },
    );

  it('documents and applies a connection timeout, a throwing request timeout and a socket idle timeout', async () => {
    expect(KINESIS_HTTP_TIMEOUTS).toEqual({ connectionTimeoutMillis: 5_000, requestTimeoutMillis: 30_000, socketIdleTimeoutMillis: 30_000 });
    await withHttpServer(
      (req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ Shards: [] }));
      },
      async (endpoint) => {
        const client = createKinesisClient(config().withKinesisEndpoint(endpoint).withKinesisCredentials(creds));
        try {
          await client.send(new ListShardsCommand({ StreamName: 'x' }));
          expect((client.config.requestHandler as NodeHttpHandler).httpHandlerConfigs()).toMatchObject({
            connectionTimeout: 5_000,
            requestTimeout: 30_000,
            throwOnRequestTimeout: true,
            socketTimeout: 30_000,
          });
        } finally {
          client.destroy();
        }
      },
    );
  });

  it('rejects a call to a server that never answers within the request timeout instead of hanging', async () => {
    let requests = 0;
    await withHttpServer(
      (req) => {
        requests++;
        req.resume(); // reads the request, never responds
      },
      async (endpoint) => {
        const client = localClient(endpoint);
        try {
          const { error, millis } = await elapsedOf(client.send(new ListShardsCommand({ StreamName: 'x' })));
          expect(error).toMatchObject({ name: 'TimeoutError' });
          expect(String((error as Error).message)).toMatch(/300 ms requestTimeout/);
          expect(millis).toBeGreaterThanOrEqual(250);
          expect(millis).toBeLessThan(2_000);
          expect(requests).toBe(1);
        } finally {
          client.destroy();
        }
      },
    );
  });

  it('retries a timed-out call like any transient failure (maxRetryCount + 1 attempts)', async () => {
    let requests = 0;
    await withHttpServer(
      (req) => {
        requests++;
        req.resume();
      },
      async (endpoint) => {
        const client = localClient(endpoint, 1);
        try {
          const { error, millis } = await elapsedOf(client.send(new ListShardsCommand({ StreamName: 'x' })));
          expect(error).toMatchObject({ name: 'TimeoutError' });
          expect(requests).toBe(2);
          expect(millis).toBeLessThan(4_000);
        } finally {
          client.destroy();
        }
      },
    );
  });

  it('does not cut a response that streams for longer than the request timeout (as a subscription does)', async () => {
    await withHttpServer(
      (req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        const pieces = GET_RECORDS_BODY.match(/.{1,12}/g) ?? [];
        let next = 0;
        const timer = setInterval(() => {
          const piece = pieces[next++];
          if (piece === undefined) {
            clearInterval(timer);
            res.end();
          } else res.write(piece);
        }, 100); // one piece every 100 ms: never idle for the 400 ms socket timeout, done well after 300 ms
        res.on('close', () => clearInterval(timer));
      },
      async (endpoint) => {
        const client = localClient(endpoint);
        try {
          const { error, millis } = await elapsedOf(
            client.send(new GetRecordsCommand({ ShardIterator: 'iterator-1' })).then((out) => {
              expect(out.NextShardIterator).toBe('iterator-2');
            }),
          );
          expect(error).toBeUndefined();
          expect(millis).toBeGreaterThan(shortTimeouts.requestTimeoutMillis * 1.5);
        } finally {
          client.destroy();
        }
      },
    );
  });

  it('fails a response whose body stalls for longer than the socket idle timeout', async () => {
    await withHttpServer(
      (req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.write(GET_RECORDS_BODY.slice(0, 10)); // then silence
      },
      async (endpoint) => {
        const client = localClient(endpoint);
        try {
          const { error, millis } = await elapsedOf(client.send(new GetRecordsCommand({ ShardIterator: 'iterator-1' })));
          expect(error).toBeInstanceOf(Error);
          expect(millis).toBeGreaterThanOrEqual(350);
          expect(millis).toBeLessThan(2_500);
        } finally {
          client.destroy();
        }
      },
    );
  });
});

describe('createKinesisClient timeouts (https:// endpoints, SDK HTTP/2 handler)', () => {
  let certificates: TestCertificates;
  beforeAll(async () => {
    certificates = await createTestCertificates();
  });
  afterAll(() => certificates?.remove());

  async function withHttp2Server<T>(onStream: (stream: ServerHttp2Stream) => void, body: (endpoint: string) => Promise<T>): Promise<T> {
    const server = createSecureServer({ key: readFileSync(certificates.keyPath), cert: readFileSync(certificates.certPath) });
    const sessions = new Set<Http2Session>();
    server.on('session', (session) => {
      sessions.add(session);
      session.on('close', () => sessions.delete(session));
    });
    server.on('stream', onStream);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      return await body(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      for (const session of sessions) session.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  const tlsClient = (endpoint: string): KinesisClient =>
    createKinesisClient(config().withKinesisEndpoint(endpoint).withKinesisCredentials(creds).withMaxRetryCount(0), {
      httpTimeouts: shortTimeouts,
      http2ConnectOptions: { ca: certificates.caPem },
    });

  it('rejects a non-streaming call that gets no answer within the stream idle timeout', async () => {
    let streams = 0;
    await withHttp2Server(
      () => {
        streams++; // never responds
      },
      async (endpoint) => {
        const client = tlsClient(endpoint);
        try {
          const { error, millis } = await elapsedOf(client.send(new ListShardsCommand({ StreamName: 'x' })));
          expect(error).toMatchObject({ name: 'TimeoutError' });
          expect(millis).toBeGreaterThanOrEqual(250);
          expect(millis).toBeLessThan(2_000);
          expect(streams).toBe(1);
        } finally {
          client.destroy();
        }
      },
    );
  });

  it('leaves SubscribeToShard without the idle timeout: a quiet subscription is not closed by the client', async () => {
    const quietMillis = 900; // three times the 300 ms stream idle timeout of other calls
    const closedByClientEarly: boolean[] = [];
    await withHttp2Server(
      (stream) => {
        stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream' });
        const timer = setTimeout(() => {
          closedByClientEarly.push(stream.closed || stream.destroyed);
          if (!stream.closed) stream.end();
        }, quietMillis);
        stream.on('close', () => clearTimeout(timer));
        stream.on('error', () => undefined);
      },
      async (endpoint) => {
        const client = tlsClient(endpoint);
        try {
          const out = await client.send(
            new SubscribeToShardCommand({
              ConsumerARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1',
              ShardId: 'shardId-000000000000',
              StartingPosition: { Type: 'TRIM_HORIZON' },
            }),
          );
          const events: unknown[] = [];
          for await (const event of out.EventStream ?? []) events.push(event);
          expect(events).toEqual([]);
          expect(closedByClientEarly).toEqual([false]);
        } finally {
          client.destroy();
        }
      },
    );
  });
});

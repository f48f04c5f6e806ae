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
import { Agent as HttpsAgent } from 'node:https';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse, Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { KinesisClient as SdkKinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { createTestCertificates, randomName, startKinesalite, useServer } from '@kcl/testbed';
import type { TestCertificates } from '@kcl/testbed';
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import { ConfigError } from '../src/errors';
import { createKinesisClient, KINESIS_HTTP_MAX_FREE_SOCKETS, KINESIS_HTTP_TIMEOUTS } from '../src/kinesis/client-factory';
import { KinesisHttpsHandler } from '../src/kinesis/kinesis-https-handler';

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

  it('uses a keep-alive HTTP/1.1 handler for https:// endpoints and AWS, with HTTP/2 kept for event streams', async () => {
    const custom = createKinesisClient(config().withKinesisEndpoint('https://kinesis.vpce.example.com'));
    expect(await resolvedEndpoint(custom)).toBe('https://kinesis.vpce.example.com/');
    const aws = createKinesisClient(config('ap-southeast-2'));
    expect(await aws.config.region()).toBe('ap-southeast-2');
    for (const client of [custom, aws]) {
      const handler = client.config.requestHandler as unknown as KinesisHttpsHandler;
      expect(handler).toBeInstanceOf(KinesisHttpsHandler);
      expect(handler.eventStreamHandler).toBeInstanceOf(NodeHttp2Handler);
    }
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
    const client = createKinesisClient(config().withKinesisEndpoint(`http://127.0.0.1:${port}`).withKinesisCredentials(creds).withMaxRetryCount(2));
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
  const kinesalite = useServer(startKinesalite);

  it('creates a stream, puts a record and lists shards over plain HTTP', async () => {
    const client = createKinesisClient(config().withKinesisEndpoint(kinesalite().endpoint).withKinesisCredentials(creds));
    const streamName = randomName('client-factory');
    try {
      await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 2 }));
      for (let i = 0; i < 100; i++) {
        const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
        if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const put = await client.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: 'pk', Data: new TextEncoder().encode('hello') }));
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

async function withHttpServer<T>(handler: Handler, body: (endpoint: string, server: Server) => Promise<T>): Promise<T> {
  const server = createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, server);
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

describe('createKinesisClient keeps the connections of many concurrent calls (http:// endpoints)', () => {
  it('300 concurrent polls that finish reuse their 300 connections in the next round (no reconnects above 256)', async () => {
    const CALLS = 300;
    let connections = 0;
    let waiting: ServerResponse[] = [];
    // Answers GetRecords only once all CALLS of a round have arrived, so the round really holds CALLS sockets at once.
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      req.resume();
      waiting.push(res);
      if (waiting.length < CALLS) return;
      const answer = waiting;
      waiting = [];
      for (const r of answer) r.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(GET_RECORDS_BODY);
    };
    await withHttpServer(handler, async (endpoint, server) => {
      server.on('connection', () => connections++);
      const client = createKinesisClient(config().withKinesisEndpoint(endpoint).withKinesisCredentials(creds));
      try {
        const round = (): Promise<unknown> =>
          Promise.all(Array.from({ length: CALLS }, () => client.send(new GetRecordsCommand({ ShardIterator: 'i' }))));
        await round();
        expect(connections).toBe(CALLS);
        await round();
        // Node's agent keeps at most 256 idle sockets by default: the other 44 would be closed and opened again.
        expect(connections).toBe(CALLS);
        const { httpAgent } = (client.config.requestHandler as NodeHttpHandler).httpHandlerConfigs() as { httpAgent?: HttpAgent };
        expect(httpAgent!.maxFreeSockets).toBe(KINESIS_HTTP_MAX_FREE_SOCKETS);
      } finally {
        client.destroy();
      }
    });
  });
});

describe('createKinesisClient timeouts (http:// endpoints)', () => {
  const localClient = (endpoint: string, retries = 0): KinesisClient =>
    createKinesisClient(config().withKinesisEndpoint(endpoint).withKinesisCredentials(creds).withMaxRetryCount(retries), {
      httpTimeouts: shortTimeouts,
    });

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

describe('createKinesisClient on https:// endpoints (HTTP/1.1 keep-alive, SubscribeToShard over HTTP/2)', () => {
  let certificates: TestCertificates;
  beforeAll(async () => {
    certificates = await createTestCertificates();
  });
  afterAll(() => certificates?.remove());

  interface TlsHandlers {
    /** HTTP/2 streams (SubscribeToShard). */
    onStream?: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;
    /** HTTP/1.1 requests (every other call). */
    onRequest?: (req: Http2ServerRequest, res: Http2ServerResponse) => void;
  }

  /** A TLS server on 127.0.0.1 that speaks HTTP/2 and HTTP/1.1, as AWS does. */
  async function withTlsServer<T>(handlers: TlsHandlers, body: (endpoint: string) => Promise<T>): Promise<T> {
    const server = createSecureServer({ key: readFileSync(certificates.keyPath), cert: readFileSync(certificates.certPath), allowHTTP1: true });
    const sessions = new Set<Http2Session>();
    const sockets = new Set<Socket>();
    server.on('session', (session) => {
      sessions.add(session);
      session.on('close', () => sessions.delete(session));
    });
    server.on('secureConnection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    if (handlers.onStream) server.on('stream', handlers.onStream);
    server.on('request', (req, res) => {
      if (req.httpVersion === '2.0') return; // handled as a stream
      handlers.onRequest?.(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      return await body(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  const tlsClient = (endpoint: string): KinesisClient =>
    createKinesisClient(config().withKinesisEndpoint(endpoint).withKinesisCredentials(creds).withMaxRetryCount(0), {
      httpTimeouts: shortTimeouts,
      tlsOptions: { ca: certificates.caPem },
    });

  const subscribe = new SubscribeToShardCommand({
    ConsumerARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1',
    ShardId: 'shardId-000000000000',
    StartingPosition: { Type: 'TRIM_HORIZON' },
  });

  const answerListShards = (req: Http2ServerRequest, res: Http2ServerResponse): void => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ Shards: [] }));
    });
  };

  it('rejects a non-streaming call that gets no answer within the request timeout', async () => {
    let requests = 0;
    await withTlsServer(
      {
        onRequest: (req) => {
          requests++; // never responds
          req.resume();
        },
      },
      async (endpoint) => {
        const client = tlsClient(endpoint);
        try {
          const { error, millis } = await elapsedOf(client.send(new ListShardsCommand({ StreamName: 'x' })));
          expect(error).toMatchObject({ name: 'TimeoutError' });
          expect(millis).toBeGreaterThanOrEqual(250);
          expect(millis).toBeLessThan(2_000);
          expect(requests).toBe(1);
        } finally {
          client.destroy();
        }
      },
    );
  });

  it('fails a response whose body stalls for longer than the socket idle timeout', async () => {
    await withTlsServer(
      {
        onRequest: (req, res) => {
          req.resume();
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          res.write(GET_RECORDS_BODY.slice(0, 10)); // then silence
        },
      },
      async (endpoint) => {
        const client = tlsClient(endpoint);
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

  it('sends other calls over HTTP/1.1 on one kept-alive connection, SubscribeToShard over HTTP/2 as the SDK does', async () => {
    const versions: string[] = [];
    const streamHeaders: IncomingHttpHeaders[] = [];
    const requestSockets = new Set<unknown>();
    const onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void => {
      streamHeaders.push(headers);
      stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream' });
      stream.end();
    };
    await withTlsServer(
      {
        onStream,
        onRequest: (req, res) => {
          versions.push(req.httpVersion);
          requestSockets.add(req.socket);
          answerListShards(req, res);
        },
      },
      async (endpoint) => {
        const client = tlsClient(endpoint);
        // The SDK's own Kinesis client (HTTP/2 handler): SubscribeToShard must look exactly as it sends it.
        const sdk = new SdkKinesisClient({
          region: 'us-east-1',
          endpoint,
          credentials: creds,
          maxAttempts: 1,
          requestHandler: new NodeHttp2Handler({ disableConcurrentStreams: true, nodeHttp2ConnectOptions: { ca: certificates.caPem } }),
        });
        try {
          for (let i = 0; i < 3; i++) await client.send(new ListShardsCommand({ StreamName: 'x' }));
          expect(versions).toEqual(['1.1', '1.1', '1.1']);
          expect(requestSockets.size).toBe(1);
          const handler = client.config.requestHandler as unknown as KinesisHttpsHandler;
          // The timeouts of the http:// path; tlsClient shortens them.
          expect(handler.httpHandlerConfigs()).toMatchObject({
            connectionTimeout: 1_000,
            requestTimeout: 300,
            throwOnRequestTimeout: true,
            socketTimeout: 400,
          });
          const { httpsAgent } = handler.httpHandlerConfigs() as { httpsAgent?: HttpsAgent };
          expect(httpsAgent).toBeInstanceOf(HttpsAgent);
          expect((httpsAgent as unknown as { keepAlive: boolean }).keepAlive).toBe(true);
          expect(httpsAgent!.maxSockets).toBe(Infinity);
          for (const c of [client, sdk]) {
            const out = await c.send(subscribe);
            for await (const event of out.EventStream ?? []) void event;
          }
          expect(streamHeaders).toHaveLength(2);
          const [ours, theirs] = streamHeaders as [IncomingHttpHeaders, IncomingHttpHeaders];
          expect(ours[':authority']).toBe(new URL(endpoint).host);
          expect(ours['host']).toBeUndefined();
          const signedHeaders = (h: IncomingHttpHeaders): string | undefined => /SignedHeaders=([^,]+)/.exec(String(h['authorization']))?.[1];
          expect(signedHeaders(ours)).toBeDefined();
          expect(signedHeaders(ours)).toBe(signedHeaders(theirs));
          const names = (h: IncomingHttpHeaders): string[] => Object.keys(h).sort();
          expect(names(ours)).toEqual(names(theirs));
        } finally {
          client.destroy();
          sdk.destroy();
        }
      },
    );
  });

  it('leaves SubscribeToShard without the idle timeout: a quiet subscription is not closed by the client', async () => {
    const quietMillis = 900; // three times the 300 ms request timeout of other calls
    const closedByClientEarly: boolean[] = [];
    await withTlsServer(
      {
        onStream: (stream) => {
          stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream' });
          const timer = setTimeout(() => {
            closedByClientEarly.push(stream.closed || stream.destroyed);
            if (!stream.closed) stream.end();
          }, quietMillis);
          stream.on('close', () => clearTimeout(timer));
          stream.on('error', () => undefined);
        },
      },
      async (endpoint) => {
        const client = tlsClient(endpoint);
        try {
          const out = await client.send(subscribe);
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

import { KinesisClient } from '@aws-sdk/client-kinesis';
import { Agent as HttpAgent, createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Socket as NetSocket } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import { createKinesisClient, KINESIS_HTTP_TIMEOUTS } from '../src/kinesis/client-factory';
import type { KinesisHttpTimeouts } from '../src/kinesis/client-factory';
import { leanHttpTransportOf, LeanHttpTransport } from '../src/kinesis/lean-http-transport';
import type { LeanHttpRequest } from '../src/kinesis/lean-http-transport';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let port: number;
let handler: Handler;
const sockets = new Set<Socket>();
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  agents.http.destroy();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function transport(timeouts: Partial<KinesisHttpTimeouts> = {}): LeanHttpTransport {
  return new LeanHttpTransport(agents, { ...KINESIS_HTTP_TIMEOUTS, ...timeouts });
}

function request(body = '{"ShardIterator":"it"}'): LeanHttpRequest {
  return {
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(Buffer.byteLength(body)) },
    body,
  };
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

describe('LeanHttpTransport', () => {
  it('posts the body with its headers and reads the whole answer (status, headers, body in several chunks)', async () => {
    let received: { method: string | undefined; body: string; target: string | undefined } | undefined;
    handler = (req, res) => {
      void readAll(req).then((body) => {
        received = { method: req.method, body, target: req.headers['content-type'] };
        res.writeHead(200, { 'x-amzn-requestid': 'req-1', 'set-cookie': ['a=1', 'b=2'] });
        res.write('{"Records":[],');
        setImmediate(() => res.end('"MillisBehindLatest":0}'));
      });
    };
    const answer = await transport().send(request(), new AbortController().signal);
    expect(received).toEqual({ method: 'POST', body: '{"ShardIterator":"it"}', target: 'application/x-amz-json-1.1' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['x-amzn-requestid']).toBe('req-1');
    expect(answer.headers['set-cookie']).toBe('a=1,b=2');
    expect(answer.body).toBe('{"Records":[],"MillisBehindLatest":0}');
  });

  it('reuses the keep-alive connection for sequential calls', async () => {
    const ports = new Set<number>();
    handler = (req, res) => {
      ports.add(req.socket.remotePort!);
      void readAll(req).then(() => res.end('{}'));
    };
    const t = transport();
    for (let i = 0; i < 5; i++) await t.send(request(), new AbortController().signal);
    expect(ports.size).toBe(1);
  });

  it('returns error answers as answers (the caller maps them)', async () => {
    handler = (req, res) => {
      void readAll(req).then(() => {
        res.writeHead(400, { 'x-amzn-errortype': 'ExpiredIteratorException' });
        res.end('{"__type":"ExpiredIteratorException","message":"expired"}');
      });
    };
    const answer = await transport().send(request(), new AbortController().signal);
    expect(answer.statusCode).toBe(400);
    expect(answer.headers['x-amzn-errortype']).toBe('ExpiredIteratorException');
    expect(answer.body).toContain('expired');
  });

  it('rejects with a TimeoutError (ETIMEDOUT) when no headers come within the request timeout', async () => {
    handler = () => undefined;
    const error = await transport({ requestTimeoutMillis: 100, socketIdleTimeoutMillis: 60_000 })
      .send(request(), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
  });

  it('rejects with a TimeoutError when the socket idles in the middle of the body', async () => {
    handler = (req, res) => {
      void readAll(req).then(() => {
        res.writeHead(200);
        res.write('{"Records":');
      });
    };
    const error = await transport({ socketIdleTimeoutMillis: 100 })
      .send(request(), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect((error as Error).message).toContain('inactivity');
  });

  it('renames a reset connection TimeoutError (transient for the retry strategy)', async () => {
    handler = (req) => req.socket.destroy();
    const error = await transport()
      .send(request(), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ECONNRESET' });
  });

  it('rejects an already-aborted signal at once and an abort in flight with an AbortError carrying the reason', async () => {
    const aborted = new AbortController();
    const reason = new Error('shutdown');
    aborted.abort(reason);
    await expect(transport().send(request(), aborted.signal)).rejects.toMatchObject({ name: 'AbortError', cause: reason });
    handler = () => undefined;
    const inFlight = new AbortController();
    const pending = transport().send(request(), inFlight.signal);
    inFlight.abort(reason);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', cause: reason });
    const withText = new AbortController();
    withText.abort('lease lost');
    await expect(transport().send(request(), withText.signal)).rejects.toMatchObject({ name: 'AbortError', message: 'lease lost' });
  });

  it('fails with a TimeoutError when the socket is still connecting after the connection timeout', async () => {
    // An agent whose sockets never finish connecting.
    class NeverConnects extends HttpAgent {
      override createConnection(): Socket {
        const socket = new NetSocket();
        Object.defineProperty(socket, 'connecting', { value: true });
        return socket;
      }
    }
    const stuck = new NeverConnects();
    const error = await new LeanHttpTransport({ http: stuck, https: agents.https }, { ...KINESIS_HTTP_TIMEOUTS, connectionTimeoutMillis: 50 })
      .send(request(), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect((error as Error).message).toContain('did not establish a connection');
    stuck.destroy();
  });
});

describe('leanHttpTransportOf', () => {
  const config = new KinesisClientLibConfig('app', 'stream', 'us-east-1', 'w1');

  it('gives the transport of a client createKinesisClient built (http:// and https://)', () => {
    const plain = createKinesisClient(config.withKinesisEndpoint('http://127.0.0.1:4567'));
    const aws = createKinesisClient(config);
    expect(leanHttpTransportOf(plain)).toBeInstanceOf(LeanHttpTransport);
    expect(leanHttpTransportOf(aws)).toBeInstanceOf(LeanHttpTransport);
    plain.destroy();
    aws.destroy();
  });

  it('gives none for any other client, nor once the request handler was replaced', () => {
    const other = new KinesisClient({ region: 'us-east-1' });
    expect(leanHttpTransportOf(other)).toBeUndefined();
    other.destroy();
    const built = createKinesisClient(config.withKinesisEndpoint('http://127.0.0.1:4567'));
    (built.config as { requestHandler: unknown }).requestHandler = new NodeHttpHandler();
    expect(leanHttpTransportOf(built)).toBeUndefined();
    built.destroy();
  });
});

/**
 * The lean GetRecords transport's own HTTP/1.1 connections (lean-http1-pool.ts) against a raw `net` server that
 * answers byte for byte what each case needs: what goes on the wire, when a connection is reused and when it is not
 * (connection: close, HTTP/1.0, a body read until close, stray bytes, a server closing an idle socket, a malformed
 * answer), `destroy()` (also through `client.destroy()`), idle sockets not keeping the process alive, the request
 * timeout of a reused connection, aborts, and HTTPS (one TLS connection for sequential calls, session resumption).
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { createTestCertificates, spawnNodeChild, startTlsAnswerServer, waitFor } from '@kcl/testbed';
import type { TestCertificates, TlsAnswerServer } from '@kcl/testbed';
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import { createKinesisClient, KINESIS_HTTP_TIMEOUTS } from '../src/kinesis/client-factory';
import type { KinesisHttpTimeouts } from '../src/kinesis/client-factory';
import { Http1ParseError } from '../src/kinesis/http1-response-parser';
import { Http1Pool } from '../src/kinesis/lean-http1-pool';
import { leanHttpTransportOf, LeanHttpTransport } from '../src/kinesis/lean-http-transport';
import type { LeanHttpRequest } from '../src/kinesis/lean-http-transport';

/** A request as the raw server saw it. */
interface RawRequest {
  socket: Socket;
  head: string;
  body: string;
}

/** A `net` server that reads requests (content-length bodies) and lets each case write whatever answer it wants. */
class RawServer {
  readonly sockets: Socket[] = [];
  readonly requests: RawRequest[] = [];
  /** Answers each request; the default answers `200 {}`. */
  handler: (request: RawRequest) => void = (request) => request.socket.write(ok('{}'));
  port = 0;
  private readonly closes = new Map<Socket, Promise<void>>();

  private constructor(private readonly server: NetServer) {}

  static async start(options: { unrefSockets?: boolean } = {}): Promise<RawServer> {
    const server = createNetServer();
    const raw = new RawServer(server);
    server.on('connection', (socket: Socket) => raw.accept(socket, options.unrefSockets === true));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    raw.port = (server.address() as AddressInfo).port;
    return raw;
  }

  private accept(socket: Socket, unref: boolean): void {
    if (unref) socket.unref();
    this.sockets.push(socket);
    this.closes.set(socket, new Promise((resolve) => socket.once('close', () => resolve())));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const request = { socket, head, body: pending.toString('utf8', end + 4, end + 4 + length) };
        pending = pending.subarray(end + 4 + length);
        this.requests.push(request);
        this.handler(request);
      }
    });
  }

  /** Resolves once `socket` closed. */
  closed(socket: Socket | undefined): Promise<void> {
    const promise = socket === undefined ? undefined : this.closes.get(socket);
    if (promise === undefined) throw new Error('not a socket of this server');
    return promise;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A complete HTTP/1.1 answer with a content-length. */
function ok(body: string, extraHeaders = '', status = 'HTTP/1.1 200 OK'): string {
  return `${status}\r\ncontent-type: application/x-amz-json-1.1\r\n${extraHeaders}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
const transports: LeanHttpTransport[] = [];
const servers: RawServer[] = [];

function transport(timeouts: Partial<KinesisHttpTimeouts> = {}, tlsOptions?: { ca: string }): LeanHttpTransport {
  const t = new LeanHttpTransport(agents, { ...KINESIS_HTTP_TIMEOUTS, ...timeouts }, tlsOptions);
  transports.push(t);
  return t;
}

async function rawServer(options: { unrefSockets?: boolean } = {}): Promise<RawServer> {
  const raw = await RawServer.start(options);
  servers.push(raw);
  return raw;
}

function request(port: number, headers: Record<string, string> = {}, body = '{"ShardIterator":"it"}', protocol = 'http:'): LeanHttpRequest {
  return {
    protocol,
    hostname: '127.0.0.1',
    port,
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(Buffer.byteLength(body)), ...headers },
    body,
  };
}

const signal = new AbortController().signal;

afterEach(async () => {
  for (const t of transports.splice(0)) t.destroy();
  for (const raw of servers.splice(0)) await raw.stop();
});

afterAll(() => {
  agents.http.destroy();
  agents.https.destroy();
});

describe('LeanHttpTransport on its own HTTP/1.1 connections', () => {
  it('writes one POST with the given headers as they are and the body, adding a host header only when there is none', async () => {
    const raw = await rawServer();
    const t = transport();
    await t.send(request(raw.port, { 'x-amz-target': 'Kinesis_20131202.GetRecords' }, '{"é":1}'), signal);
    await t.send(request(raw.port, { Host: 'kinesis.example:443' }), signal);
    const [first, second] = raw.requests;
    expect(first!.head.split('\r\n')).toEqual([
      'POST / HTTP/1.1',
      'content-type: application/x-amz-json-1.1',
      'content-length: 8',
      'x-amz-target: Kinesis_20131202.GetRecords',
      `host: 127.0.0.1:${raw.port}`,
    ]);
    expect(first!.body).toBe('{"é":1}');
    expect(second!.head.split('\r\n').filter((line) => line.toLowerCase().startsWith('host:'))).toEqual(['Host: kinesis.example:443']);
  });

  it('refuses header values and paths it could not write as they are', async () => {
    const t = transport();
    await expect(t.send(request(1, { 'x-bad': 'a\r\nx-injected: 1' }), signal)).rejects.toMatchObject({ code: 'ERR_INVALID_CHAR' });
    await expect(t.send(request(1, { 'bad name': 'x' }), signal)).rejects.toMatchObject({ code: 'ERR_INVALID_HTTP_TOKEN' });
    await expect(t.send({ ...request(1), path: '/a b' }, signal)).rejects.toMatchObject({ code: 'ERR_UNESCAPED_CHARACTERS' });
  });

  it('keys the pool by origin, without the brackets of an IPv6 literal, and builds the host header of default ports', () => {
    const pool = new Http1Pool(agents, KINESIS_HTTP_TIMEOUTS, 1000, undefined);
    expect(pool.originOf('http:', '[::1]', 8080)).toMatchObject({ https: false, host: '::1', port: 8080, hostHeader: '[::1]:8080' });
    expect(pool.originOf('https:', 'kinesis.us-east-1.amazonaws.com', undefined)).toMatchObject({
      https: true,
      port: 443,
      hostHeader: 'kinesis.us-east-1.amazonaws.com',
    });
    expect(pool.originOf('https:', 'kinesis.us-east-1.amazonaws.com', 443)).toBe(
      pool.originOf('https:', 'kinesis.us-east-1.amazonaws.com', undefined),
    );
    expect(pool.originOf('http:', '127.0.0.1', 80).hostHeader).toBe('127.0.0.1');
  });

  it('opens a new connection after an answer with connection: close, and closes the old one', async () => {
    const raw = await rawServer();
    raw.handler = (r) => r.socket.write(ok('{"n":1}', 'connection: close\r\n')); // the server leaves it open
    const t = transport();
    expect((await t.send(request(raw.port), signal)).body).toBe('{"n":1}');
    await raw.closed(raw.sockets[0]);
    raw.handler = (r) => r.socket.write(ok('{"n":2}'));
    expect((await t.send(request(raw.port), signal)).body).toBe('{"n":2}');
    expect(raw.sockets).toHaveLength(2);
  });

  it('drops a pooled socket the server closed, and the next call succeeds on a new one', async () => {
    const raw = await rawServer();
    const t = transport();
    await t.send(request(raw.port), signal);
    raw.sockets[0]!.end(); // an idle keep-alive timeout on the server
    await raw.closed(raw.sockets[0]); // the client answered the FIN: its pool no longer holds the socket
    const answer = await t.send(request(raw.port), signal);
    expect(answer.statusCode).toBe(200);
    expect(raw.sockets).toHaveLength(2);
    expect(raw.requests.map((r) => raw.sockets.indexOf(r.socket))).toEqual([0, 1]);
  });

  it('does not reuse an HTTP/1.0 connection unless it says keep-alive', async () => {
    const raw = await rawServer();
    const t = transport();
    raw.handler = (r) => r.socket.write(ok('{}', '', 'HTTP/1.0 200 OK'));
    await t.send(request(raw.port), signal);
    await raw.closed(raw.sockets[0]);
    raw.handler = (r) => r.socket.write(ok('{}', 'connection: keep-alive\r\n', 'HTTP/1.0 200 OK'));
    await t.send(request(raw.port), signal);
    await t.send(request(raw.port), signal);
    expect(raw.sockets).toHaveLength(2);
  });

  it('reads an answer without length until the server closes (HTTP/1.0), and opens a new connection next', async () => {
    const raw = await rawServer();
    raw.handler = (r) => {
      r.socket.write('HTTP/1.0 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\n\r\n{"Records":');
      setImmediate(() => r.socket.end('[]}'));
    };
    const t = transport();
    const answer = await t.send(request(raw.port), signal);
    expect(answer).toMatchObject({ statusCode: 200, reason: 'OK', body: '{"Records":[]}' });
    raw.handler = (r) => r.socket.write(ok('{}'));
    await t.send(request(raw.port), signal);
    expect(raw.sockets).toHaveLength(2);
  });

  it('reads chunked answers after a 100 Continue, and keeps the connection', async () => {
    const raw = await rawServer();
    raw.handler = (r) => {
      r.socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nx-amzn-requestid: r1\r\n\r\n');
      r.socket.write('5;x=y\r\n{"Rec\r\n');
      setImmediate(() => r.socket.write('9\r\nords":[]}\r\n0\r\nx-trailer: t\r\n\r\n'));
    };
    const t = transport();
    for (let i = 0; i < 2; i++) {
      const answer = await t.send(request(raw.port), signal);
      expect(answer).toMatchObject({ statusCode: 200, headers: { 'x-amzn-requestid': 'r1' }, body: '{"Records":[]}' });
    }
    expect(raw.sockets).toHaveLength(1);
  });

  it('destroys an idle socket that receives bytes (a protocol error); the next call opens a new one', async () => {
    const raw = await rawServer();
    const t = transport();
    await t.send(request(raw.port), signal);
    raw.sockets[0]!.write('HTTP/1.1 200 OK\r\n');
    await raw.closed(raw.sockets[0]);
    await t.send(request(raw.port), signal);
    expect(raw.sockets).toHaveLength(2);
  });

  it('does not reuse a connection whose answer was followed by stray bytes', async () => {
    const raw = await rawServer();
    raw.handler = (r) => r.socket.write(`${ok('{}')}garbage`);
    const t = transport();
    expect((await t.send(request(raw.port), signal)).body).toBe('{}');
    await raw.closed(raw.sockets[0]);
  });

  it('rejects a malformed answer with a clear error and closes its connection', async () => {
    const raw = await rawServer();
    raw.handler = (r) => r.socket.write('HTTP/1.1 200 OK\r\ncontent-length: many\r\n\r\n{}');
    const t = transport();
    const error = await t.send(request(raw.port), signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Http1ParseError);
    expect(error).toMatchObject({ code: 'HPE_INVALID_CONTENT_LENGTH', message: expect.stringContaining('bad content-length "many"') });
    await raw.closed(raw.sockets[0]);
  });

  it('rejects socket hang up (ECONNRESET, a TimeoutError) when the server closes in the middle of the body', async () => {
    const raw = await rawServer();
    raw.handler = (r) => r.socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"Records":');
    const error = await transport()
      .send(request(raw.port), signal)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError', code: 'ECONNRESET', message: 'socket hang up' });
  });

  it('destroy() closes idle sockets, fails calls in flight and refuses later calls', async () => {
    const raw = await rawServer();
    const t = transport();
    raw.handler = (r) => setImmediate(() => r.socket.write(ok('{}')));
    await Promise.all([t.send(request(raw.port), signal), t.send(request(raw.port), signal)]); // two idle sockets
    raw.handler = () => undefined;
    const inFlight = t.send(request(raw.port), signal);
    await waitFor(() => raw.requests.length === 3, 'the third request');
    expect(raw.sockets).toHaveLength(2); // the in-flight call took one of the idle sockets
    t.destroy();
    await expect(inFlight).rejects.toMatchObject({ code: 'ERR_KCL_TRANSPORT_DESTROYED' });
    await Promise.all(raw.sockets.map((s) => raw.closed(s)));
    await expect(t.send(request(raw.port), signal)).rejects.toMatchObject({ code: 'ERR_KCL_TRANSPORT_DESTROYED' });
  });

  it('closes the lean transport sockets when a client createKinesisClient built is destroyed', async () => {
    const raw = await rawServer();
    const client = createKinesisClient(
      new KinesisClientLibConfig('app', 'stream', 'us-east-1', 'w1').withKinesisEndpoint(`http://127.0.0.1:${raw.port}`),
    );
    const lean = leanHttpTransportOf(client)!;
    await lean.send(request(raw.port), signal);
    client.destroy();
    await raw.closed(raw.sockets[0]);
    await expect(lean.send(request(raw.port), signal)).rejects.toMatchObject({ code: 'ERR_KCL_TRANSPORT_DESTROYED' });
  });

  it('holds the event loop with the socket of a call in flight only: an idle pooled socket is unref()ed', async () => {
    const raw = await rawServer({ unrefSockets: true }); // the server's side never counts
    const tcpHandles = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;
    const t = transport();
    const before = tcpHandles();
    let during = -1;
    raw.handler = (r) => {
      during = tcpHandles();
      r.socket.write(ok('{}'));
    };
    for (let i = 0; i < 2; i++) {
      await t.send(request(raw.port), signal);
      expect(during).toBe(before + 1);
      expect(tcpHandles()).toBe(before);
    }
    expect(raw.sockets).toHaveLength(1);
  });

  it('lets a process that made a call exit by itself while the server keeps the connection open', async () => {
    const raw = await rawServer();
    const child = spawnNodeChild(join(__dirname, 'fixtures', 'lean-http-call-child.ts'), { args: [String(raw.port)] });
    let output = '';
    child.process.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = await child.waitExit(30_000); // a bound on a hang, not a timing goal: the child exits in well under a second
    child.signal('SIGKILL');
    expect(output).toContain('answered 200');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(raw.sockets).toHaveLength(1);
  });

  it('counts the request timeout from the start of each call on a reused connection', async () => {
    const raw = await rawServer();
    const t = transport({ requestTimeoutMillis: 2_000, socketIdleTimeoutMillis: 60_000 });
    await t.send(request(raw.port), signal);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Answered 1 s into the second call: 2.5 s after the first call started, well within 2 s of the second's start.
    raw.handler = (r) => setTimeout(() => r.socket.write(ok('{"late":true}')), 1_000);
    expect((await t.send(request(raw.port), signal)).body).toBe('{"late":true}');
    raw.handler = () => undefined;
    await expect(t.send(request(raw.port), signal)).rejects.toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
    expect(raw.sockets).toHaveLength(1);
  });

  it('aborts the call in flight under a signal used for earlier calls, and every call in flight under one signal', async () => {
    const raw = await rawServer();
    const t = transport();
    const controller = new AbortController();
    await t.send(request(raw.port), controller.signal);
    raw.handler = () => undefined;
    const reason = new Error('lease lost');
    const pending = t.send(request(raw.port), controller.signal);
    await waitFor(() => raw.requests.length === 2, 'the second request');
    controller.abort(reason);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', cause: reason });
    await raw.closed(raw.sockets[0]);

    const shared = new AbortController();
    const both = [t.send(request(raw.port), shared.signal), t.send(request(raw.port), shared.signal)];
    await waitFor(() => raw.requests.length === 4, 'two more requests');
    shared.abort('shutdown');
    for (const call of both) await expect(call).rejects.toMatchObject({ name: 'AbortError', message: 'shutdown' });
  });

  it('leaves the pooled socket alone when a signal fires after its call completed', async () => {
    const raw = await rawServer();
    const t = transport();
    const controller = new AbortController();
    await t.send(request(raw.port), controller.signal);
    controller.abort();
    await t.send(request(raw.port), signal);
    expect(raw.sockets).toHaveLength(1);
  });
});

describe('LeanHttpTransport over TLS', () => {
  let certificates: TestCertificates;
  let server: TlsAnswerServer;

  beforeAll(async () => {
    certificates = await createTestCertificates();
    server = await startTlsAnswerServer({
      keyPath: certificates.keyPath,
      certPath: certificates.certPath,
      body: '{"Records":[],"MillisBehindLatest":0}',
    });
  });

  afterAll(async () => {
    await server.stop();
    certificates.remove();
  });

  it('sends calls over TLS (trusting the CA it was given) and reuses one TLS connection for sequential calls', async () => {
    const t = transport({}, { ca: certificates.caPem });
    for (let i = 0; i < 3; i++) {
      const answer = await t.send(request(server.port, {}, '{"ShardIterator":"it"}', 'https:'), signal);
      expect(answer).toMatchObject({ statusCode: 200, body: '{"Records":[],"MillisBehindLatest":0}' });
    }
    expect(server.requests()).toBe(3);
    expect(server.connections()).toBe(1);
  });

  it('resumes the TLS session of the origin on its next connection', async () => {
    const tlsSockets: TLSSocket[] = [];
    const resumed: boolean[] = [];
    const httpsServer = createHttpsServer({ key: readFileSync(certificates.keyPath), cert: readFileSync(certificates.certPath) }, (req, res) => {
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    httpsServer.on('secureConnection', (socket: TLSSocket) => {
      tlsSockets.push(socket);
      resumed.push(socket.isSessionReused());
    });
    await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
    try {
      const port = (httpsServer.address() as AddressInfo).port;
      const t = transport({}, { ca: certificates.caPem });
      await t.send(request(port, {}, '{}', 'https:'), signal);
      const closed = new Promise((resolve) => tlsSockets[0]!.once('close', resolve));
      tlsSockets[0]!.end(); // the server drops the idle connection
      await closed;
      await t.send(request(port, {}, '{}', 'https:'), signal);
      expect(resumed).toEqual([false, true]);
    } finally {
      for (const socket of tlsSockets) socket.destroy();
      await new Promise((resolve) => httpsServer.close(resolve));
    }
  });

  it('fails the call when the server certificate is not trusted', async () => {
    const error = await transport()
      .send(request(server.port, {}, '{}', 'https:'), signal)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: expect.stringMatching(/CERT|SELF_SIGNED|UNABLE_TO/) });
  });
});

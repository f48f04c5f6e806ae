/**
 * The keep-alive HTTP/1.1 connections of the lean GetRecords transport (lean-http-transport.ts), each carrying one
 * call at a time (lean-http1-call.ts): a request is one `socket.write` of one buffer, its answer is read by an
 * {@link Http1ResponseParser}, with no `node:http` objects in between.
 *
 * Pool: one per transport, with a stack of idle connections per origin (`protocol//host:port`), reused last in
 * first out. No cap on connections (the callers bound their calls in flight), none on idle ones (as the agents'
 * `KINESIS_HTTP_MAX_SOCKETS` / `KINESIS_HTTP_MAX_FREE_SOCKETS`). An idle socket is `unref()`ed, so it never keeps the
 * process alive, and `ref()`ed while a call uses it. An idle socket that the server ends or closes, that errors or
 * that receives bytes (a protocol error) is destroyed and leaves the pool. A connection goes back to the pool after a
 * complete answer unless that answer forbids it (see the parser's `keepAlive`) or was followed by stray bytes.
 * `destroy()` closes every connection and fails the calls in flight.
 *
 * Sockets are made by the `createConnection` of the client's agents, i.e. `net.createConnection` and `tls.connect`
 * (the agents' own defaults), with `noDelay`, and for `https:` a SNI `servername` (not for an IP literal), ALPN
 * `http/1.1`, one secure context per pool built from the TLS options the HTTPS agent got, and the origin's last TLS
 * session (resumed, as the HTTPS agent resumes them). TCP keep-alive (`setKeepAlive(true, keepAliveMsecs)`) and the
 * socket idle timeout are set once per socket: the idle timer re-arms itself on every byte read or written, so a
 * call's request write starts its idle period.
 *
 * Per call, nothing here allocates: reads land in one shared buffer (`onread`) instead of a new Buffer per chunk
 * pushed through the socket's readable stream; listeners are module-level functions installed once per socket
 * (`this` is the socket, whose {@link CONNECTION} property leads to its connection and from there to the current
 * call); the request timer is one `Timeout` per connection re-armed with `refresh()`.
 * @internal
 */
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { SecureContext, SecureContextOptions } from 'node:tls';
import type { KinesisHttpTimeouts } from './client-factory';
import { Http1ResponseParser } from './http1-response-parser';
import { Http1Call, watchOf } from './lean-http1-call';
import type { LeanHttpAnswer } from './lean-http-transport';

/** The connection a pooled socket carries. */
const CONNECTION = Symbol('kcl.leanConnection');
type WithConnection = Socket & { [CONNECTION]: Connection };

function connectionOf(socket: Socket): Connection {
  return (socket as WithConnection)[CONNECTION];
}

// Listeners shared by every socket and call (`this` is the socket), so a call allocates no closures.
function onConnect(this: Socket): void {
  connectionOf(this).connected();
}
function onRead(this: Socket, length: number, buffer: Buffer): void {
  connectionOf(this).received(buffer, length, true);
}
function onData(this: Socket, chunk: Buffer): void {
  // Only from a socket made without `onread` (an agent whose createConnection ignores it).
  connectionOf(this).received(chunk, chunk.length, false);
}
function onEnd(this: Socket): void {
  connectionOf(this).peerClosed();
}
function onClose(this: Socket, hadError: boolean): void {
  connectionOf(this).closed(hadError);
}
function onSession(this: Socket, session: Buffer): void {
  connectionOf(this).origin.tlsSession = session;
}
function onError(this: Socket, error: Error & { code?: string }): void {
  connectionOf(this).errored(error);
}
function onIdleTimeout(this: Socket): void {
  connectionOf(this).call?.idleTimedOut();
}
function onRequestTimer(connection: Connection): void {
  connection.requestTimerFired();
}

const ALPN_HTTP1 = ['http/1.1'];

/**
 * The `onread` option of every socket: one read buffer for all of them, and {@link onRead}. Each read is parsed, and
 * whatever must outlive it copied, before the next read into the buffer can happen (the callback is synchronous), so
 * a read allocates nothing: no `Buffer` per chunk, no readable-stream bookkeeping.
 */
class ReadOptions {
  readonly buffer = Buffer.allocUnsafe(64 * 1024);
  readonly callback = onRead;
}
let readOptions: ReadOptions | undefined;

/** Options of `net.createConnection` for an `http:` origin. */
class NetConnectOptions {
  readonly noDelay = true;
  readonly onread = (readOptions ??= new ReadOptions());
  constructor(
    readonly host: string,
    readonly port: number,
  ) {}
}

/** Options of `tls.connect` for an `https:` origin (`session`: the last TLS session of the origin, to resume). */
class TlsConnectOptions extends NetConnectOptions {
  readonly ALPNProtocols = ALPN_HTTP1;
  readonly servername: string | undefined;
  constructor(
    host: string,
    port: number,
    readonly secureContext: SecureContext,
    readonly session: Buffer | undefined,
  ) {
    super(host, port);
    // SNI carries host names only (RFC 6066); tls.connect still checks the certificate against the IP.
    if (isIP(host) === 0) this.servername = host;
  }
}

/**
 * One `protocol//host:port`: its idle connections (a LIFO stack), the `host` header for requests without one, and for
 * `https:` the last TLS session a server gave, resumed by the next connection (as the HTTPS agent does).
 */
export class Origin {
  readonly idle: Connection[] = [];
  tlsSession: Buffer | undefined = undefined;
  constructor(
    readonly https: boolean,
    /** Without the brackets of an IPv6 literal. */
    readonly host: string,
    readonly port: number,
    readonly hostHeader: string,
  ) {}
}

/** A socket of the pool, its parser, its request timer and the call using it (none while idle). */
export class Connection {
  readonly parser = new Http1ResponseParser();
  call: Http1Call | undefined = undefined;
  idle = false;
  private requestTimer: NodeJS.Timeout | undefined = undefined;

  constructor(
    readonly socket: Socket,
    readonly origin: Origin,
    readonly pool: Http1Pool,
  ) {}

  /** Starts the request timeout of a call (the timer is unref'd: the socket in use keeps the process alive). */
  armRequestTimer(millis: number): void {
    if (millis <= 0) return;
    if (this.requestTimer === undefined) this.requestTimer = setTimeout(onRequestTimer, millis, this).unref();
    else this.requestTimer.refresh();
  }

  requestTimerFired(): void {
    // The timer is not cleared between calls: it only counts for a call still waiting for its headers.
    if (this.call !== undefined && !this.parser.headersComplete) this.call.requestTimedOut();
  }

  connected(): void {
    const millis = this.pool.timeouts.socketIdleTimeoutMillis;
    if (millis > 0) this.socket.setTimeout(millis);
    this.call?.connected();
  }

  received(chunk: Buffer, length: number, shared: boolean): void {
    if (this.call !== undefined) this.call.received(chunk, length, shared);
    else this.pool.discard(this); // bytes nobody asked for
  }

  peerClosed(): void {
    if (this.call !== undefined) this.call.peerClosed();
    else this.pool.discard(this);
  }

  errored(error: Error & { code?: string }): void {
    if (this.call !== undefined) this.call.failed(error);
    else this.pool.discard(this);
  }

  closed(hadError: boolean): void {
    // A connection that failed may have failed on its resumed session: the next one starts afresh (as the agent does).
    if (hadError) this.origin.tlsSession = undefined;
    if (this.requestTimer !== undefined) clearTimeout(this.requestTimer);
    this.requestTimer = undefined;
    this.pool.forget(this);
    this.call?.peerClosed();
  }
}

/** What the pool needs of an agent: its socket factory. */
type ConnectionFactory = { createConnection(options: object): unknown };

/** The connections of one transport. */
export class Http1Pool {
  destroyed = false;
  private readonly origins = new Map<string, Origin>();
  /** Every open connection, idle or in use (what `destroy()` closes). */
  private readonly connections = new Set<Connection>();
  private secureContext: SecureContext | undefined = undefined;
  // The origin of the last call, by the request fields it came from (one client polls one endpoint).
  private lastOrigin: Origin | undefined = undefined;
  private lastProtocol = '';
  private lastHostname = '';
  private lastPort: number | undefined = undefined;

  constructor(
    private readonly agents: { http: HttpAgent; https: HttpsAgent },
    readonly timeouts: Readonly<KinesisHttpTimeouts>,
    private readonly keepAliveMsecs: number,
    private readonly tlsOptions: Pick<SecureContextOptions, 'ca'> | undefined,
  ) {}

  /** The origin of a request's `protocol` (`http:` / `https:`), `hostname` (IPv6 in brackets or not) and `port`. */
  originOf(protocol: string, hostname: string, port: number | undefined): Origin {
    const last = this.lastOrigin;
    if (last !== undefined && protocol === this.lastProtocol && hostname === this.lastHostname && port === this.lastPort) return last;
    const https = protocol === 'https:';
    const bracketed = hostname.startsWith('[') && hostname.endsWith(']');
    const host = bracketed ? hostname.slice(1, -1) : hostname;
    const effectivePort = port ?? (https ? 443 : 80);
    const key = `${https ? 'https:' : 'http:'}//${host}:${effectivePort}`;
    let origin = this.origins.get(key);
    if (origin === undefined) {
      const hostText = host.includes(':') ? `[${host}]` : host;
      const hostHeader = effectivePort === (https ? 443 : 80) ? hostText : `${hostText}:${effectivePort}`;
      origin = new Origin(https, host, effectivePort, hostHeader);
      this.origins.set(key, origin);
    }
    this.lastOrigin = origin;
    this.lastProtocol = protocol;
    this.lastHostname = hostname;
    this.lastPort = port;
    return origin;
  }

  /** Sends `request` on an idle connection of `origin` (the last one freed) or a new one. */
  start(origin: Origin, request: Buffer, signal: AbortSignal, resolve: (answer: LeanHttpAnswer) => void, reject: (error: Error) => void): void {
    new Http1Call(this.take(origin), watchOf(signal), resolve, reject).start(request);
  }

  private take(origin: Origin): Connection {
    const { idle } = origin;
    for (let connection = idle.pop(); connection !== undefined; connection = idle.pop()) {
      connection.idle = false;
      if (!connection.socket.destroyed) return connection;
    }
    return this.connect(origin);
  }

  private connect(origin: Origin): Connection {
    const { host, port } = origin;
    let socket: unknown;
    if (origin.https) {
      this.secureContext ??= createSecureContext(this.tlsOptions);
      const options = new TlsConnectOptions(host, port, this.secureContext, origin.tlsSession);
      socket = (this.agents.https as ConnectionFactory).createConnection(options);
    } else {
      socket = (this.agents.http as ConnectionFactory).createConnection(new NetConnectOptions(host, port));
    }
    if (socket === null || typeof socket !== 'object') throw new Error('@kcl/core lean GetRecords - the HTTP agent created no socket');
    const connection = new Connection(socket as Socket, origin, this);
    return this.adopt(connection);
  }

  private adopt(connection: Connection): Connection {
    const { socket } = connection;
    (socket as WithConnection)[CONNECTION] = connection;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, this.keepAliveMsecs);
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.on('timeout', onIdleTimeout);
    socket.once('close', onClose);
    if (connection.origin.https) socket.on('session', onSession);
    if (socket.connecting) socket.once('connect', onConnect);
    else connection.connected();
    this.connections.add(connection);
    return connection;
  }

  /** Takes back the connection of a complete answer. */
  release(connection: Connection): void {
    if (this.destroyed || connection.socket.destroyed) {
      connection.socket.destroy();
      return;
    }
    connection.socket.unref();
    connection.idle = true;
    connection.origin.idle.push(connection);
  }

  /** Destroys an idle connection (ended or closed by the server, errored, or sent bytes nobody asked for). */
  discard(connection: Connection): void {
    this.removeIdle(connection);
    connection.socket.destroy();
  }

  /** A connection closed: it leaves the pool. */
  forget(connection: Connection): void {
    this.removeIdle(connection);
    this.connections.delete(connection);
  }

  private removeIdle(connection: Connection): void {
    if (!connection.idle) return;
    connection.idle = false;
    const { idle } = connection.origin;
    const at = idle.lastIndexOf(connection);
    if (at >= 0) idle.splice(at, 1);
  }

  /** Destroys every connection and fails the calls in flight with `error`; later calls are refused by the transport. */
  destroy(error: Error): void {
    this.destroyed = true;
    for (const connection of this.connections) {
      connection.idle = false;
      connection.call?.fail(error);
      connection.socket.destroy();
    }
    this.connections.clear();
    for (const origin of this.origins.values()) origin.idle.length = 0;
    this.lastOrigin = undefined;
  }
}

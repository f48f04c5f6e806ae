/**
 * The HTTP/1.1 transport of the lean GetRecords path for a client `createKinesisClient` built: each call is one
 * request written on a keep-alive socket of the transport's own pool (lean-http1-pool.ts) and its answer read by a
 * small incremental parser (http1-response-parser.ts), with the same timeouts, errors and abort behaviour as the
 * client's `NodeHttpHandler`, but without a `node:http` request per call (a `ClientRequest`, an `IncomingMessage`
 * and their streams, ~18 KB and ~118 µs of CPU per keep-alive POST) nor the handler's per-call objects and timers.
 * The sockets are made by the `createConnection` of the client's agents (`net` / `tls` with the HTTPS agent's TLS
 * options); the agents themselves keep carrying the SDK's other calls (ListShards etc.).
 *
 * Behaviour kept from `@smithy/node-http-handler` 4.14.x (the pinned version), per call:
 * - an already-aborted signal rejects at once; an abort later destroys the request's socket and rejects with an
 *   `AbortError` (its `cause` the signal's reason when that is an Error);
 * - connection timeout: a socket still connecting after `connectionTimeoutMillis` is destroyed and the call rejects
 *   with a `TimeoutError`;
 * - request timeout (`throwOnRequestTimeout`): no response headers `requestTimeoutMillis` after the call started
 *   destroys the socket and rejects with a `TimeoutError` (code `ETIMEDOUT`);
 * - socket idle timeout: `socketIdleTimeoutMillis` without a byte on the socket (while waiting for headers or reading
 *   the body) destroys the socket and rejects with a `TimeoutError`;
 * - socket errors `ECONNRESET`, `EPIPE`, `ETIMEDOUT` are renamed `TimeoutError` (the SDK's retry strategy treats them
 *   as transient); any other error is passed on as is; a socket closed before the answer is complete rejects with
 *   `socket hang up` (code `ECONNRESET`, named `TimeoutError`), as `node:http` does;
 * - TCP keep-alive is switched on for each socket (`socket.setKeepAlive(true, agent.keepAliveMsecs)`), once per socket;
 * - keep-alive pools per origin with no cap on sockets nor on idle ones, idle sockets `unref()`ed (see
 *   lean-http1-pool.ts for reuse and when a socket is dropped).
 * Added: `destroy()` (called by the client's request handler when the client is destroyed) closes every socket of the
 * pool and fails the calls in flight; a later call is refused.
 * @internal
 */
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisHttpTimeouts } from './client-factory';
import { leanAbortError, transportDestroyedError } from './lean-http-errors';
import { Http1Pool } from './lean-http1-pool';
import type { Origin } from './lean-http1-pool';

export { leanAbortError } from './lean-http-errors';

/** An answer read to its end. Header names lower-case, the values of a repeated header joined with `,`. */
export interface LeanHttpAnswer {
  statusCode: number;
  reason: string | undefined;
  headers: Record<string, string | undefined>;
  body: string;
}

/** What a lean request carries (already signed). */
export interface LeanHttpRequest {
  protocol: string;
  hostname: string;
  port: number | undefined;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/*
 * Per-poll objects of the lean path (here, in lean-get-records.ts, lean-sigv4.ts and the polling consumer's batch) are
 * instances of small classes, not object literals. V8 pretenures by literal allocation site: a site it decides to
 * tenure during a worker's start-up burst (when most such objects are still alive at a scavenge) would put every later
 * object of that site in the old generation for the life of the process, although these die within a poll. `new` of
 * a class is not tracked that way. Measured on the 1,000-shard bench: see packages/bench/README.md. The transport's
 * per-call objects (lean-http1-call.ts: the call, the answer; http1-response-head.ts: the header record) follow it.
 */

/** Header names (RFC 9110 tokens), header values (visible ASCII, space, tab) and request paths the transport writes. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e]/;
const INVALID_PATH = /[^\u0021-\u007e]/;
const CR = 13;
const LF = 10;

function invalidRequest(message: string, code: string): TypeError {
  return Object.assign(new TypeError(`@kcl/core lean GetRecords - ${message}`), { code });
}

/**
 * The whole request in one buffer: `POST <path> HTTP/1.1`, the given headers as they are (a `host` header added only
 * when there is none), the empty line and the body (UTF-8). The path and the header values are ASCII (the transport
 * refuses anything else; the values are signed, so never rewritten). Writing the pieces into a buffer sized up
 * front allocates one small Buffer object per request (its bytes come from Node's buffer pool, off the heap) where
 * building the text as a string would allocate it twice over (the pieces, then the flattened whole).
 */
function requestBytes(request: LeanHttpRequest, origin: Origin): Buffer {
  const { headers, path, body } = request;
  if (INVALID_PATH.test(path)) throw invalidRequest('the request path contains unescaped characters', 'ERR_UNESCAPED_CHARACTERS');
  let size = path.length + 18; // 'POST ' path ' HTTP/1.1\r\n' ... '\r\n'
  let hasHost = false;
  for (const name in headers) {
    const value = headers[name];
    if (typeof value !== 'string') throw invalidRequest(`the value of header ${name} is not a string`, 'ERR_HTTP_INVALID_HEADER_VALUE');
    if (!HEADER_NAME.test(name)) throw invalidRequest(`invalid header name ${JSON.stringify(name)}`, 'ERR_INVALID_HTTP_TOKEN');
    if (INVALID_HEADER_VALUE.test(value)) throw invalidRequest(`invalid character in the value of header ${name}`, 'ERR_INVALID_CHAR');
    if (name.length === 4 && name.toLowerCase() === 'host') hasHost = true;
    size += name.length + value.length + 4;
  }
  const hostHeader = hasHost ? undefined : origin.hostHeader;
  if (hostHeader !== undefined) size += hostHeader.length + 8;
  const bytes = Buffer.allocUnsafe(size + Buffer.byteLength(body, 'utf8'));
  let at = bytes.write('POST ', 0, 'latin1');
  at += bytes.write(path, at, 'latin1');
  at += bytes.write(' HTTP/1.1\r\n', at, 'latin1');
  for (const name in headers) at = headerLine(bytes, at, name, headers[name]!);
  if (hostHeader !== undefined) at = headerLine(bytes, at, 'host', hostHeader);
  bytes[at++] = CR;
  bytes[at++] = LF;
  bytes.write(body, at, 'utf8');
  return bytes;
}

/** Writes `name: value\r\n` at `at`; returns the offset after it. */
function headerLine(bytes: Buffer, at: number, name: string, value: string): number {
  let i = at + bytes.write(name, at, 'latin1');
  bytes[i++] = 58; // ':'
  bytes[i++] = 32;
  i += bytes.write(value, i, 'latin1');
  bytes[i++] = CR;
  bytes[i++] = LF;
  return i;
}

/** Sends lean requests on keep-alive sockets of its own, with the timeouts of a client's HTTP/1.1 handler. */
export class LeanHttpTransport {
  readonly keepAliveMsecs: number;
  private readonly pool: Http1Pool;

  /**
   * @param agents - the keep-alive agents of the client's handler: their `keepAliveMsecs` and their socket factory
   *   (`createConnection`) are used; their pools stay the SDK's
   * @param tlsOptions - the extra TLS options the HTTPS agent got (e.g. a test CA)
   */
  constructor(
    agents: { http: HttpAgent; https: HttpsAgent },
    readonly timeouts: Readonly<KinesisHttpTimeouts>,
    tlsOptions?: Pick<SecureContextOptions, 'ca'>,
  ) {
    this.keepAliveMsecs = (agents.https as HttpsAgent & { keepAliveMsecs?: number }).keepAliveMsecs ?? 0;
    this.pool = new Http1Pool(agents, timeouts, this.keepAliveMsecs, tlsOptions);
  }

  /** Sends one request and reads its answer to the end (see the module comment for timeouts and errors). */
  send(request: LeanHttpRequest, signal: AbortSignal): Promise<LeanHttpAnswer> {
    if (signal.aborted) return Promise.reject(leanAbortError(signal));
    const { pool } = this;
    if (pool.destroyed) return Promise.reject(transportDestroyedError());
    let bytes: Buffer;
    let origin: Origin;
    try {
      origin = pool.originOf(request.protocol, request.hostname, request.port);
      bytes = requestBytes(request, origin);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return new Promise<LeanHttpAnswer>((resolve, reject) => pool.start(origin, bytes, signal, resolve, reject));
  }

  /** Closes every socket of the transport and fails its calls in flight; later calls are refused. */
  destroy(): void {
    if (!this.pool.destroyed) this.pool.destroy(transportDestroyedError());
  }
}

/** The lean transport of each client `createKinesisClient` built, with the request handler it belongs to. */
const transports = new WeakMap<KinesisClient, { transport: LeanHttpTransport; requestHandler: unknown }>();

/** Registers the transport of a client built by `createKinesisClient` (its handler's agents and timeouts). */
export function attachLeanHttpTransport(client: KinesisClient, transport: LeanHttpTransport, requestHandler: unknown): void {
  transports.set(client, { transport, requestHandler });
}

/**
 * The lean transport of `client`, if `createKinesisClient` built it and its request handler is still the one built
 * with it (a replaced handler is always used as it is).
 */
export function leanHttpTransportOf(client: KinesisClient): LeanHttpTransport | undefined {
  const entry = transports.get(client);
  return entry !== undefined && entry.requestHandler === client.config.requestHandler ? entry.transport : undefined;
}

/**
 * The HTTP/1.1 transport of the lean GetRecords path for a client `createKinesisClient` built: one `node:http` /
 * `node:https` request on the keep-alive agent of the client's own `NodeHttpHandler`, with the same timeouts, errors
 * and abort behaviour as that handler, but without its per-call objects (an `HttpRequest` copy, an `HttpResponse`,
 * a transformed header map) and its five timers per call (socket-usage warning, deferred connection, request,
 * keep-alive and socket timeouts): here a call arms one timer (the request timeout) and the socket's own idle timer.
 *
 * Behaviour kept from `@smithy/node-http-handler` 4.14.x (the pinned version), per call:
 * - an already-aborted signal rejects at once; an abort later destroys the request and rejects with an `AbortError`
 *   (its `cause` the signal's reason when that is an Error);
 * - connection timeout: a socket still connecting after `connectionTimeoutMillis` destroys the request and rejects
 *   with a `TimeoutError`;
 * - request timeout (`throwOnRequestTimeout`): no response headers after `requestTimeoutMillis` destroys the request
 *   and rejects with a `TimeoutError` (code `ETIMEDOUT`);
 * - socket idle timeout: `socketIdleTimeoutMillis` without a byte on the socket (while waiting for headers or reading
 *   the body) destroys the request and rejects with a `TimeoutError`;
 * - socket errors `ECONNRESET`, `EPIPE`, `ETIMEDOUT` are renamed `TimeoutError` (the SDK's retry strategy treats them
 *   as transient); any other error is passed on as is;
 * - TCP keep-alive is switched on for each socket (`socket.setKeepAlive(true, agent.keepAliveMsecs)`), once per socket.
 * @internal
 */
import type { Agent as HttpAgent, ClientRequest, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisHttpTimeouts } from './client-factory';
import { primitiveText } from '../internal/primitive-text';

/** An answer read to its end. Header values as Node gives them (lower-case names). */
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

const TIMEOUT_ERROR_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

function timeoutError(message: string, code?: string): Error {
  const error = new Error(`@kcl/core lean GetRecords - ${message}`);
  error.name = 'TimeoutError';
  if (code !== undefined) (error as Error & { code?: string }).code = code;
  return error;
}

/** The abort error `@smithy/node-http-handler` builds (a non-Error reason as its message, objects as `an object`). */
export function leanAbortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const error = new Error(reason === undefined || reason === null || reason instanceof Error ? 'Request aborted' : primitiveText(reason));
  error.name = 'AbortError';
  if (reason instanceof Error) error.cause = reason;
  return error;
}

/** Joins repeated header values as the SDK's handler does. */
function headersOf(message: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(message.headers)) headers[name] = Array.isArray(value) ? value.join(',') : value;
  return headers;
}

/** Sockets whose TCP keep-alive is already on. */
const keepAliveSockets = new WeakSet<Socket>();

/** The call a request, its response or its socket (one call at a time) belongs to. */
const CALL = Symbol('kcl.leanCall');
type WithCall = { [CALL]?: Call | undefined };

function callOf(emitter: unknown): Call | undefined {
  return (emitter as WithCall)[CALL];
}

// Listeners shared by every call (`this` is the emitter), so a call allocates no closures.
function onSocket(this: ClientRequest, socket: Socket): void {
  callOf(this)?.socketAssigned(socket);
}
function onConnect(this: Socket): void {
  callOf(this)?.connected();
}
function onIdleTimeout(this: Socket): void {
  callOf(this)?.idleTimeout();
}
function onRequestError(this: ClientRequest, error: Error & { code?: string }): void {
  callOf(this)?.failed(error);
}
function onResponse(this: ClientRequest, response: IncomingMessage): void {
  callOf(this)?.responded(response);
}
function onClose(this: ClientRequest): void {
  callOf(this)?.closed();
}
function onData(this: IncomingMessage, chunk: Buffer): void {
  callOf(this)?.chunks.push(chunk);
}
function onEnd(this: IncomingMessage): void {
  callOf(this)?.ended();
}
function onResponseError(this: IncomingMessage, error: Error & { code?: string }): void {
  callOf(this)?.failed(error);
}
function onRequestTimeout(call: Call): void {
  call.requestTimedOut();
}
function onConnectTimeout(call: Call): void {
  call.connectTimedOut();
}

/** One in-flight call; also the listener of the caller's AbortSignal (`handleEvent`). */
class Call {
  readonly chunks: Buffer[] = [];
  private settled = false;
  private requestTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private socket: Socket | undefined;
  private response: IncomingMessage | undefined;

  constructor(
    private readonly req: ClientRequest,
    private readonly transport: LeanHttpTransport,
    private readonly signal: AbortSignal,
    private readonly resolve: (answer: LeanHttpAnswer) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  start(body: string): void {
    const { req } = this;
    (req as WithCall)[CALL] = this;
    req.once('response', onResponse);
    req.on('error', onRequestError);
    req.once('socket', onSocket);
    req.once('close', onClose);
    this.signal.addEventListener('abort', this, { once: true });
    const { requestTimeoutMillis } = this.transport.timeouts;
    if (requestTimeoutMillis > 0) this.requestTimer = setTimeout(onRequestTimeout, requestTimeoutMillis, this);
    req.end(body);
  }

  /** The AbortSignal fired. */
  handleEvent(): void {
    this.req.destroy();
    this.fail(leanAbortError(this.signal));
  }

  failed(error: Error & { code?: string }): void {
    if (error.code !== undefined && TIMEOUT_ERROR_CODES.has(error.code)) error.name = 'TimeoutError';
    this.fail(error);
  }

  private fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.clear();
    this.reject(error);
  }

  private clear(): void {
    if (this.requestTimer !== undefined) clearTimeout(this.requestTimer);
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.requestTimer = undefined;
    this.connectTimer = undefined;
    this.signal.removeEventListener('abort', this);
  }

  socketAssigned(socket: Socket): void {
    this.socket = socket;
    (socket as WithCall)[CALL] = this;
    const { timeouts, keepAliveMsecs } = this.transport;
    if (!keepAliveSockets.has(socket)) {
      keepAliveSockets.add(socket);
      socket.setKeepAlive(true, keepAliveMsecs);
    }
    if (socket.connecting) {
      if (timeouts.connectionTimeoutMillis > 0) this.connectTimer = setTimeout(onConnectTimeout, timeouts.connectionTimeoutMillis, this);
      socket.once('connect', onConnect);
    } else {
      this.armIdleTimeout();
    }
  }

  connected(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.armIdleTimeout();
  }

  private armIdleTimeout(): void {
    const millis = this.transport.timeouts.socketIdleTimeoutMillis;
    if (millis > 0 && this.socket !== undefined) this.socket.setTimeout(millis, onIdleTimeout);
  }

  connectTimedOut(): void {
    this.connectTimer = undefined;
    this.req.destroy();
    this.fail(timeoutError(`the request socket did not establish a connection within ${this.transport.timeouts.connectionTimeoutMillis} ms`));
  }

  requestTimedOut(): void {
    this.requestTimer = undefined;
    const error = timeoutError(
      `a request has exceeded the configured ${this.transport.timeouts.requestTimeoutMillis} ms requestTimeout`,
      'ETIMEDOUT',
    );
    this.req.destroy(error);
    this.fail(error);
  }

  idleTimeout(): void {
    const error = timeoutError(`the request socket timed out after ${this.transport.timeouts.socketIdleTimeoutMillis} ms of inactivity`);
    this.response?.destroy(error);
    this.req.destroy();
    this.fail(error);
  }

  responded(response: IncomingMessage): void {
    // Headers arrived: the request timeout stops here, as in the SDK's handler.
    if (this.requestTimer !== undefined) clearTimeout(this.requestTimer);
    this.requestTimer = undefined;
    this.response = response;
    (response as WithCall)[CALL] = this;
    response.on('data', onData);
    response.once('end', onEnd);
    response.once('error', onResponseError);
  }

  ended(): void {
    const response = this.response!;
    if (this.settled) return;
    this.settled = true;
    this.clear();
    const { chunks } = this;
    const body = chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
    this.resolve(new AnswerOf(response.statusCode ?? -1, response.statusMessage, headersOf(response), body));
  }

  closed(): void {
    const { socket } = this;
    if (socket !== undefined) {
      // The agent resets the timeout of a socket it takes back; only this call's listener goes, and the socket
      // no longer points at this call.
      socket.removeListener('timeout', onIdleTimeout);
      socket.removeListener('connect', onConnect);
      if ((socket as WithCall)[CALL] === this) (socket as WithCall)[CALL] = undefined;
    }
    if (!this.settled) this.fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', name: 'TimeoutError' }));
  }
}

/*
 * Per-poll objects of the lean path (here, in lean-get-records.ts, lean-sigv4.ts and the polling consumer's batch) are
 * instances of small classes, not object literals. V8 pretenures by literal allocation site: a site it decides to
 * tenure during a worker's start-up burst (when most such objects are still alive at a scavenge) would put every later
 * object of that site in the old generation for the life of the process, although these die within a poll. `new` of
 * a class is not tracked that way. Measured on the 1,000-shard bench: see packages/bench/README.md.
 */
class RequestOptionsOf {
  readonly method = 'POST';
  constructor(
    readonly host: string,
    readonly port: number | undefined,
    readonly path: string,
    readonly headers: Record<string, string>,
    readonly agent: HttpAgent | HttpsAgent,
  ) {}
}

class AnswerOf implements LeanHttpAnswer {
  constructor(
    readonly statusCode: number,
    readonly reason: string | undefined,
    readonly headers: Record<string, string | undefined>,
    readonly body: string,
  ) {}
}

/** The keep-alive agents and timeouts of a client's HTTP/1.1 handler; sends lean requests on them. */
export class LeanHttpTransport {
  readonly keepAliveMsecs: number;

  constructor(
    private readonly agents: { http: HttpAgent; https: HttpsAgent },
    readonly timeouts: Readonly<KinesisHttpTimeouts>,
  ) {
    this.keepAliveMsecs = (agents.https as HttpsAgent & { keepAliveMsecs?: number }).keepAliveMsecs ?? 0;
  }

  /** Sends one request and reads its answer to the end (see the module comment for timeouts and errors). */
  send(request: LeanHttpRequest, signal: AbortSignal): Promise<LeanHttpAnswer> {
    if (signal.aborted) return Promise.reject(leanAbortError(signal));
    const https = request.protocol === 'https:';
    const hostname = request.hostname.startsWith('[') && request.hostname.endsWith(']') ? request.hostname.slice(1, -1) : request.hostname;
    const options = new RequestOptionsOf(hostname, request.port, request.path, request.headers, https ? this.agents.https : this.agents.http);
    return new Promise<LeanHttpAnswer>((resolve, reject) => {
      const req = https ? httpsRequest(options) : httpRequest(options);
      new Call(req, this, signal, resolve, reject).start(request.body);
    });
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

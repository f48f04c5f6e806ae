/**
 * One call of the lean GetRecords transport on one keep-alive connection of its pool (lean-http1-pool.ts): the request
 * written in one `socket.write`, the answer fed to the connection's parser as the socket reads it, the connection
 * timeout of a new socket, the request timeout (the connection's timer), the socket idle timeout, aborts, and what
 * becomes of the connection once the call settles (back to the pool after a complete answer that allows it, else
 * destroyed). Errors and their names: lean-http-errors.ts.
 *
 * A call allocates itself and its answer; the abort listener is one {@link SignalWatch} per AbortSignal, not one per
 * call.
 * @internal
 */
import type { ResponseHeaders } from './http1-response-parser';
import type { Connection } from './lean-http1-pool';
import { leanAbortError, renamedSocketError, socketHangUpError, timeoutError } from './lean-http-errors';
import type { LeanHttpAnswer } from './lean-http-transport';

function onConnectTimer(call: Http1Call): void {
  call.connectTimedOut();
}

/** The answer handed to the caller (a class, not a literal). */
class AnswerOf implements LeanHttpAnswer {
  constructor(
    readonly statusCode: number,
    readonly reason: string | undefined,
    readonly headers: ResponseHeaders,
    readonly body: string,
  ) {}
}

/**
 * The calls in flight under one AbortSignal, and that signal's abort listener (`handleEvent`), added once per signal
 * rather than once per call: a polling consumer passes the same signal to every call, and an EventTarget listener
 * added and removed per call costs ~0.6 KB (its listener record and the signal's listener map, rebuilt each time).
 */
export class SignalWatch {
  /** The call in flight (one at a time is the usual case), and any others. */
  private call: Http1Call | undefined = undefined;
  private others: Set<Http1Call> | undefined = undefined;

  constructor(private readonly signal: AbortSignal) {}

  add(call: Http1Call): void {
    if (this.call === undefined) this.call = call;
    else (this.others ??= new Set()).add(call);
  }

  remove(call: Http1Call): void {
    if (this.call === call) this.call = undefined;
    else this.others?.delete(call);
  }

  /** The signal fired: every call under it fails. */
  handleEvent(): void {
    const error = leanAbortError(this.signal);
    const { call, others } = this;
    this.call = undefined;
    this.others = undefined;
    call?.fail(error);
    if (others !== undefined) for (const other of others) other.fail(error);
  }
}

/** The watch of each signal seen (it lives as long as its signal). */
const signalWatches = new WeakMap<AbortSignal, SignalWatch>();

export function watchOf(signal: AbortSignal): SignalWatch {
  let watch = signalWatches.get(signal);
  if (watch === undefined) {
    watch = new SignalWatch(signal);
    signalWatches.set(signal, watch);
    signal.addEventListener('abort', watch, { once: true });
  }
  return watch;
}

/** One call on one connection. */
export class Http1Call {
  private settled = false;
  private connectTimer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly connection: Connection,
    private readonly watch: SignalWatch,
    private readonly resolve: (answer: LeanHttpAnswer) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  /** Sends `request` (the whole request) on the connection. */
  start(request: Buffer): void {
    const { connection } = this;
    const { socket, pool } = connection;
    const { connectionTimeoutMillis, requestTimeoutMillis } = pool.timeouts;
    connection.call = this;
    connection.parser.reset();
    socket.ref();
    this.watch.add(this);
    if (socket.connecting && connectionTimeoutMillis > 0) this.connectTimer = setTimeout(onConnectTimer, connectionTimeoutMillis, this);
    connection.armRequestTimer(requestTimeoutMillis);
    socket.write(request);
  }

  connected(): void {
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  connectTimedOut(): void {
    this.connectTimer = undefined;
    const millis = this.connection.pool.timeouts.connectionTimeoutMillis;
    this.fail(timeoutError(`the request socket did not establish a connection within ${millis} ms`));
  }

  requestTimedOut(): void {
    const millis = this.connection.pool.timeouts.requestTimeoutMillis;
    this.fail(timeoutError(`a request has exceeded the configured ${millis} ms requestTimeout`, 'ETIMEDOUT'));
  }

  idleTimedOut(): void {
    const millis = this.connection.pool.timeouts.socketIdleTimeoutMillis;
    this.fail(timeoutError(`the request socket timed out after ${millis} ms of inactivity`));
  }

  failed(error: Error & { code?: string }): void {
    this.fail(renamedSocketError(error));
  }

  received(chunk: Buffer, length: number, shared: boolean): void {
    let complete: boolean;
    try {
      complete = this.connection.parser.feed(chunk, length, shared);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    if (complete) this.complete();
  }

  /** The server ended or closed the connection: the end of a body read until close, else a hang-up. */
  peerClosed(): void {
    if (this.connection.parser.finishAtClose()) this.complete();
    else this.fail(socketHangUpError());
  }

  /** Rejects the call with `error` and destroys its socket (a no-op once the call settled). */
  fail(error: Error): void {
    if (this.settled) return;
    this.settle();
    this.connection.socket.destroy();
    this.reject(error);
  }

  private complete(): void {
    if (this.settled) return;
    this.settle();
    const { connection } = this;
    const { parser } = connection;
    const answer = new AnswerOf(parser.statusCode, parser.reason, parser.headers, parser.bodyText());
    if (parser.keepAlive && !parser.extraBytes) connection.pool.release(connection);
    else connection.socket.destroy();
    this.resolve(answer);
  }

  private settle(): void {
    this.settled = true;
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.watch.remove(this);
    this.connection.call = undefined;
  }
}

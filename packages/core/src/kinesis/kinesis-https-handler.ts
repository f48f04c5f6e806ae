/**
 * The request handler of the Kinesis client for `https://` endpoints (AWS): connection reuse for every call, and an
 * HTTP/2 session of its own for SubscribeToShard.
 * @internal
 */
import type { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisClient } from '@aws-sdk/client-kinesis';

type HttpRequest = Parameters<NodeHttpHandler['handle']>[0];
type HandleResult = ReturnType<NodeHttpHandler['handle']>;
type RelativeMiddleware = Parameters<KinesisClient['middlewareStack']['addRelativeTo']>[0];
type HandleOptions = NonNullable<Parameters<NodeHttpHandler['handle']>[1]> & { isEventStream?: boolean };

/**
 * Sends every non-streaming call (GetRecords, ListShards, ...) through an HTTP/1.1 keep-alive agent, so calls reuse
 * TLS connections (one per concurrent call at most), and event streams (SubscribeToShard, which AWS serves over
 * HTTP/2 only) through the SDK's HTTP/2 handler, which gives each subscription its own session as the SDK does by
 * default.
 *
 * The SDK's Kinesis default (an HTTP/2 handler with `disableConcurrentStreams: true`) opens a new TLS session for
 * every call; `pnpm bench:transport` measures what that costs. Pooled HTTP/2 sessions were measured too: about the
 * same CPU per call as keep-alive HTTP/1.1, but one TCP connection would carry the calls of every shard, and a
 * session that went silent stays pooled after a stream timeout; a timed-out HTTP/1.1 call destroys its own socket.
 *
 * Declares HTTP/1.1 (`metadata`), so requests carry a `host` header;
 * {@link useHttp2AuthorityForEventStreams} gives event streams the HTTP/2 `:authority` header instead, before signing,
 * exactly as the SDK's HTTP/2 handler would.
 */
export class KinesisHttpsHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };

  constructor(
    private readonly http1: NodeHttpHandler,
    private readonly eventStreams: NodeHttp2Handler,
  ) {}

  handle(request: HttpRequest, options: HandleOptions = {}): HandleResult {
    return options.isEventStream === true ? this.eventStreams.handle(request, options) : this.http1.handle(request, options);
  }

  updateHttpClientConfig(key: never, value: never): void {
    this.http1.updateHttpClientConfig(key, value);
    this.eventStreams.updateHttpClientConfig(key, value);
  }

  /** The configuration of the HTTP/1.1 handler (every call but event streams). */
  httpHandlerConfigs(): ReturnType<NodeHttpHandler['httpHandlerConfigs']> {
    return this.http1.httpHandlerConfigs();
  }

  /** The handler event streams go through. */
  get eventStreamHandler(): NodeHttp2Handler {
    return this.eventStreams;
  }

  destroy(): void {
    this.http1.destroy();
    this.eventStreams.destroy();
  }
}

/** Commands whose response is an event stream: sent over HTTP/2 by {@link KinesisHttpsHandler}. */
const EVENT_STREAM_COMMANDS = new Set(['SubscribeToShardCommand']);

/**
 * Adds a build-step middleware, right after the SDK's host header middleware, that replaces the `host` header of
 * event-stream requests with `:authority` (what the host header middleware does for an HTTP/2 handler), so
 * SubscribeToShard is signed and sent as with the SDK's HTTP/2 handler.
 */
export function useHttp2AuthorityForEventStreams(client: KinesisClient): void {
  type Next = (args: { request: unknown }) => Promise<unknown>;
  const middleware = (next: Next, context: { commandName?: string }) => async (args: { request: unknown }) => {
    const request = args.request as Partial<HttpRequest> | undefined;
    const headers = request?.headers;
    if (EVENT_STREAM_COMMANDS.has(String(context.commandName)) && headers !== undefined && headers[':authority'] === undefined) {
      const host = headers['host'] ?? `${String(request!.hostname)}${request!.port ? `:${request!.port}` : ''}`;
      delete headers['host'];
      headers[':authority'] = host;
    }
    return next(args);
  };
  client.middlewareStack.addRelativeTo(middleware as unknown as RelativeMiddleware, {
    relation: 'after',
    toMiddleware: 'hostHeaderMiddleware',
    name: 'kclEventStreamAuthorityMiddleware',
    override: true,
  });
}

import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import type { SecureClientSessionOptions } from 'node:http2';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisClientLibConfig } from '../config/kcl-config';
import { checkEndpoint, checkInteger, checkMillis, checkRegion } from '../config/validation';
import { KCL_CONFIG_LIMITS } from '../config/defaults';

/** The config fields the factory reads. */
export type KinesisClientConfigFields = Pick<
  KinesisClientLibConfig,
  'regionName' | 'kinesisEndpoint' | 'kinesisCredentials' | 'maxRetryCount'
>;

/**
 * Timeouts of the HTTP handlers `createKinesisClient` builds. A call that runs into one fails with a `TimeoutError`,
 * which the SDK's retry strategy treats as transient (retried up to `maxRetryCount` times), so a silent server can
 * never hang a consumer.
 */
export interface KinesisHttpTimeouts {
  /**
   * `http://` endpoints: time allowed to establish the TCP connection.
   * @defaultValue 5000
   */
  connectionTimeoutMillis: number;
  /**
   * `http://` endpoints: time from sending the request to receiving the response headers; the call throws when it is
   * exceeded. In the pinned `@smithy/node-http-handler` (4.14.x) this timer is cleared once the headers arrive, so it
   * does not limit how long a response body may stream: a SubscribeToShard subscription (5 minutes of events) is not
   * cut by it. Kinesis answers GetRecords within a few seconds, so 30 s only ever fires on a server that hangs.
   *
   * `https://` endpoints (the SDK's HTTP/2 handler): the same value is the idle timeout of each HTTP/2 stream
   * (no bytes for that long -> `TimeoutError`), applied to every call except event streams (SubscribeToShard),
   * which keep the SDK's default (a 5-minute idle session timeout).
   * @defaultValue 30000
   */
  requestTimeoutMillis: number;
  /**
   * `http://` endpoints: a socket that sees no bytes for this long (while waiting for headers or in the middle of a
   * response body) fails the call. Emulators send SubscribeToShard events about every second, so a healthy
   * subscription is never idle this long.
   * @defaultValue 30000
   */
  socketIdleTimeoutMillis: number;
}

/** The timeouts `createKinesisClient` uses (see {@link KinesisHttpTimeouts}). */
export const KINESIS_HTTP_TIMEOUTS: Readonly<KinesisHttpTimeouts> = Object.freeze({
  connectionTimeoutMillis: 5_000,
  requestTimeoutMillis: 30_000,
  socketIdleTimeoutMillis: 30_000,
});

/**
 * Socket pool size of the HTTP/1.1 agent `createKinesisClient` builds for `http://` endpoints: no cap (the SDK's
 * handler defaults to 50). An enhanced fan-out subscription holds its socket for up to 5 minutes, so with 50 or more
 * leased shards a capped pool would leave every other Kinesis call of the worker (ListShards, re-subscriptions,
 * registration polling) queued behind them. The worker itself bounds the number of sockets: each shard consumer has
 * at most one call in flight, plus a few control calls.
 */
export const KINESIS_HTTP_MAX_SOCKETS = Infinity;

/**
 * Internal knobs of `createKinesisClient` (tests shorten the timeouts and trust a throwaway CA). Not part of the
 * supported API: inject your own client with `Worker.withKinesis` to tune the HTTP layer.
 * @internal
 */
export interface KinesisClientFactoryInternals {
  /**
   * Overrides of the HTTP timeouts.
   * @defaultValue {@link KINESIS_HTTP_TIMEOUTS}
   */
  httpTimeouts?: Partial<KinesisHttpTimeouts>;
  /**
   * Extra `http2.connect` options for `https://` endpoints (e.g. `{ ca }`).
   * @defaultValue none
   */
  http2ConnectOptions?: SecureClientSessionOptions;
}

type Http2Request = Parameters<NodeHttp2Handler['handle']>[0];
type Http2HandleOptions = NonNullable<Parameters<NodeHttp2Handler['handle']>[1]>;

/**
 * The SDK's HTTP/2 handler with the SDK's Kinesis defaults (one session per request), plus a per-stream idle timeout
 * for every call that is not an event stream. SubscribeToShard is left as the SDK has it: its stream may be quiet
 * between events and is bounded by the session idle timeout instead.
 */
class KinesisHttp2Handler extends NodeHttp2Handler {
  private readonly streamIdleTimeoutMillis: number;

  constructor(streamIdleTimeoutMillis: number, connectOptions: SecureClientSessionOptions | undefined) {
    super({
      disableConcurrentStreams: true,
      ...(connectOptions !== undefined ? { nodeHttp2ConnectOptions: connectOptions } : {}),
    });
    this.streamIdleTimeoutMillis = streamIdleTimeoutMillis;
  }

  override handle(request: Http2Request, options: Http2HandleOptions = {}): ReturnType<NodeHttp2Handler['handle']> {
    if (options.isEventStream === true || options.requestTimeout !== undefined) return super.handle(request, options);
    return super.handle(request, { ...options, requestTimeout: this.streamIdleTimeoutMillis });
  }
}

function resolveTimeouts(overrides: Partial<KinesisHttpTimeouts> | undefined): KinesisHttpTimeouts {
  const merged = { ...KINESIS_HTTP_TIMEOUTS, ...overrides };
  return {
    connectionTimeoutMillis: checkMillis('connectionTimeoutMillis', merged.connectionTimeoutMillis),
    requestTimeoutMillis: checkMillis('requestTimeoutMillis', merged.requestTimeoutMillis),
    socketIdleTimeoutMillis: checkMillis('socketIdleTimeoutMillis', merged.socketIdleTimeoutMillis),
  };
}

/**
 * Builds the Kinesis client the worker uses when none is injected (`Worker.withKinesis`).
 *
 * - `region` from `regionName`, `endpoint` from `kinesisEndpoint`, `credentials` from `kinesisCredentials` (the SDK's
 *   default provider chain when unset).
 * - `http://` endpoints (local emulators) get a `NodeHttpHandler` (HTTP/1.1): the SDK's default HTTP/2 handler, which
 *   SubscribeToShard needs against AWS, does not work over plain HTTP. It has a connection timeout, a request timeout
 *   that throws (`throwOnRequestTimeout`; without it the pinned handler only logs a warning and a call to a silent
 *   server hangs forever) and a socket idle timeout; see {@link KINESIS_HTTP_TIMEOUTS}. Its keep-alive agent has no
 *   socket cap ({@link KINESIS_HTTP_MAX_SOCKETS}), so fan-out subscriptions cannot starve other calls.
 * - Other endpoints (AWS) keep the SDK's HTTP/2 handler and its settings, with a stream idle timeout on every call
 *   except SubscribeToShard.
 * - Retries: the SDK's standard retry strategy (exponential back-off with jitter, throttling errors such as
 *   ProvisionedThroughputExceededException and timeouts included, a retry quota) with
 *   `maxAttempts = maxRetryCount + 1`, so `withMaxRetryCount` bounds the retries of every Kinesis call. The
 *   `AWS_MAX_ATTEMPTS` environment variable is therefore not consulted; inject your own client to use it.
 *
 * @param internals - not part of the supported API (tests only)
 * @throws ConfigError if one of those fields is invalid
 */
export function createKinesisClient(
  config: KinesisClientConfigFields,
  internals: KinesisClientFactoryInternals = {},
): KinesisClient {
  const timeouts = resolveTimeouts(internals.httpTimeouts);
  const clientConfig: KinesisClientConfig = {
    region: checkRegion(config.regionName),
    maxAttempts: checkInteger('maxRetryCount', config.maxRetryCount, 0, KCL_CONFIG_LIMITS.maxRetryCount) + 1,
  };
  const endpoint = config.kinesisEndpoint === undefined ? undefined : checkEndpoint('kinesisEndpoint', config.kinesisEndpoint);
  if (endpoint !== undefined) clientConfig.endpoint = endpoint;
  if (endpoint !== undefined && new URL(endpoint).protocol === 'http:') {
    clientConfig.requestHandler = new NodeHttpHandler({
      connectionTimeout: timeouts.connectionTimeoutMillis,
      requestTimeout: timeouts.requestTimeoutMillis,
      throwOnRequestTimeout: true,
      socketTimeout: timeouts.socketIdleTimeoutMillis,
      // Agent options (not an Agent), so the handler still builds, owns and destroys the agent.
      httpAgent: { keepAlive: true, maxSockets: KINESIS_HTTP_MAX_SOCKETS },
    });
  } else {
    clientConfig.requestHandler = new KinesisHttp2Handler(timeouts.requestTimeoutMillis, internals.http2ConnectOptions);
  }
  if (config.kinesisCredentials !== undefined) clientConfig.credentials = config.kinesisCredentials;
  return new KinesisClient(clientConfig);
}

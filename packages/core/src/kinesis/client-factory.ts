import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import type { SecureContextOptions } from 'node:tls';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisClientLibConfig } from '../config/kcl-config';
import { checkEndpoint, checkInteger, checkMillis, checkRegion } from '../config/validation';
import { KCL_CONFIG_LIMITS } from '../config/defaults';
import { KinesisHttpsHandler, useHttp2AuthorityForEventStreams } from './kinesis-https-handler';
import { attachLeanHttpTransport, LeanHttpTransport } from './lean-http-transport';

/** The config fields the factory reads. */
export type KinesisClientConfigFields = Pick<KinesisClientLibConfig, 'regionName' | 'kinesisEndpoint' | 'kinesisCredentials' | 'maxRetryCount'>;

/**
 * Timeouts of the HTTP/1.1 handler `createKinesisClient` builds, which carries every call except, on `https://`
 * endpoints, SubscribeToShard. A call that runs into one fails with a `TimeoutError`, which the SDK's retry strategy
 * treats as transient (retried up to `maxRetryCount` times), so a silent server can never hang a consumer.
 * SubscribeToShard on an `https://` endpoint keeps the SDK's HTTP/2 defaults (its own session, closed after 5 minutes
 * without a byte).
 */
export interface KinesisHttpTimeouts {
  /**
   * Time allowed to establish the TCP connection.
   * @defaultValue 5000
   */
  connectionTimeoutMillis: number;
  /**
   * Time from sending the request to receiving the response headers; the call throws when it is exceeded. In the
   * pinned `@smithy/node-http-handler` (4.14.x) this timer is cleared once the headers arrive, so it does not limit
   * how long a response body may stream: a SubscribeToShard subscription over `http://` (5 minutes of events) is not
   * cut by it. Kinesis answers GetRecords within a few seconds, so 30 s only ever fires on a server that hangs.
   * @defaultValue 30000
   */
  requestTimeoutMillis: number;
  /**
   * A socket that sees no bytes for this long (while waiting for headers or in the middle of a response body) fails
   * the call. Emulators send SubscribeToShard events about every second, so a healthy subscription is never idle this
   * long.
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
 * Socket pool size of the HTTP/1.1 keep-alive agent `createKinesisClient` builds: no cap (the SDK's
 * handler defaults to 50). An enhanced fan-out subscription holds its socket for up to 5 minutes, so with 50 or more
 * leased shards a capped pool would leave every other Kinesis call of the worker (ListShards, re-subscriptions,
 * registration polling) queued behind them. The worker itself bounds the number of sockets: each shard consumer has
 * at most one call in flight, plus a few control calls.
 */
export const KINESIS_HTTP_MAX_SOCKETS = Infinity;

/**
 * Idle (kept-alive) sockets the agent keeps for reuse: no cap either (Node's agent keeps 256 by default). A worker
 * polling 1,000 shards can have more calls in flight at once than that (a slow or distant endpoint, a burst after
 * a pause); with the default every socket above 256 was closed when its call ended and a new connection (a new TLS
 * handshake on `https://`) opened for the next poll. The pool is still bounded by the calls in flight at the busiest
 * moment (at most one per shard consumer plus a few control calls), and idle sockets close when the server drops them.
 */
export const KINESIS_HTTP_MAX_FREE_SOCKETS = Infinity;

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
   * Extra TLS options for `https://` endpoints (e.g. `{ ca }`), given to the HTTPS agent, to the lean GetRecords
   * transport and to `http2.connect`.
   * @defaultValue none
   */
  tlsOptions?: Pick<SecureContextOptions, 'ca'>;
}

/**
 * The HTTP/1.1 handler, destroying the agents it was given (it only destroys agents it has used) and the lean
 * GetRecords transport built with them (its own keep-alive sockets).
 */
class OwnedAgentsHttpHandler extends NodeHttpHandler {
  constructor(
    private readonly agents: { http: HttpAgent; https: HttpsAgent },
    private readonly lean: LeanHttpTransport,
    options: ConstructorParameters<typeof NodeHttpHandler>[0],
  ) {
    super(options);
  }

  override destroy(): void {
    super.destroy();
    this.agents.http.destroy();
    this.agents.https.destroy();
    this.lean.destroy();
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
 * - Every call goes through a `NodeHttpHandler` (HTTP/1.1) whose keep-alive agent reuses connections and has no
 *   socket cap ({@link KINESIS_HTTP_MAX_SOCKETS}), so fan-out subscriptions cannot starve other calls, nor a cap on
 *   the idle sockets it keeps ({@link KINESIS_HTTP_MAX_FREE_SOCKETS}), so many concurrent polls do not reconnect. It has a
 *   connection timeout, a request timeout that throws (`throwOnRequestTimeout`; without it the pinned handler only
 *   logs a warning and a call to a silent server hangs forever) and a socket idle timeout; see
 *   {@link KINESIS_HTTP_TIMEOUTS}.
 * - Except SubscribeToShard on `https://` endpoints (AWS), which needs HTTP/2: it goes through the SDK's HTTP/2
 *   handler with the SDK's Kinesis settings (a session of its own per subscription). The SDK's Kinesis default for
 *   every other call (also one HTTP/2 session, so one TLS handshake, per call) is not used: `pnpm bench:transport`
 *   measures it at about twice the client CPU per call of keep-alive (README, "Transport").
 * - `http://` endpoints (local emulators) send SubscribeToShard over HTTP/1.1 too: HTTP/2 does not work over plain
 *   HTTP there.
 * - Retries: the SDK's standard retry strategy (exponential back-off with jitter, throttling errors such as
 *   ProvisionedThroughputExceededException and timeouts included, a retry quota) with
 *   `maxAttempts = maxRetryCount + 1`, so `withMaxRetryCount` bounds the retries of every Kinesis call. The
 *   `AWS_MAX_ATTEMPTS` environment variable is therefore not consulted; inject your own client to use it.
 *
 * @param internals - not part of the supported API (tests only)
 * @throws ConfigError if one of those fields is invalid
 */
export function createKinesisClient(config: KinesisClientConfigFields, internals: KinesisClientFactoryInternals = {}): KinesisClient {
  const timeouts = resolveTimeouts(internals.httpTimeouts);
  const clientConfig: KinesisClientConfig = {
    region: checkRegion(config.regionName),
    maxAttempts: checkInteger('maxRetryCount', config.maxRetryCount, 0, KCL_CONFIG_LIMITS.maxRetryCount) + 1,
  };
  const endpoint = config.kinesisEndpoint === undefined ? undefined : checkEndpoint('kinesisEndpoint', config.kinesisEndpoint);
  if (endpoint !== undefined) clientConfig.endpoint = endpoint;
  // The agents are built here (with the options the handler would use) so the lean GetRecords path makes its sockets
  // the same way, with the same TLS options (lean-http-transport.ts, which keeps its own keep-alive pool); the handler
  // destroys both with itself.
  const agentOptions = { keepAlive: true, maxSockets: KINESIS_HTTP_MAX_SOCKETS, maxFreeSockets: KINESIS_HTTP_MAX_FREE_SOCKETS };
  const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent({ ...agentOptions, ...internals.tlsOptions }) };
  const lean = new LeanHttpTransport(agents, timeouts, internals.tlsOptions);
  const http1 = new OwnedAgentsHttpHandler(agents, lean, {
    connectionTimeout: timeouts.connectionTimeoutMillis,
    requestTimeout: timeouts.requestTimeoutMillis,
    throwOnRequestTimeout: true,
    socketTimeout: timeouts.socketIdleTimeoutMillis,
    httpAgent: agents.http,
    httpsAgent: agents.https,
  });
  const plainHttp = endpoint !== undefined && new URL(endpoint).protocol === 'http:';
  clientConfig.requestHandler = plainHttp
    ? http1
    : new KinesisHttpsHandler(
        http1,
        new NodeHttp2Handler({
          disableConcurrentStreams: true,
          ...(internals.tlsOptions !== undefined ? { nodeHttp2ConnectOptions: internals.tlsOptions } : {}),
        }),
      );
  if (config.kinesisCredentials !== undefined) clientConfig.credentials = config.kinesisCredentials;
  const client = new KinesisClient(clientConfig);
  if (!plainHttp) useHttp2AuthorityForEventStreams(client);
  attachLeanHttpTransport(client, lean, clientConfig.requestHandler);
  return client;
}

/** Creates the DynamoDB client used when none is injected, and describes a client's endpoint for messages. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ConfigError, redactEndpoint } from '@kcl/core';
import type { KinesisClientLibConfig, Logger } from '@kcl/core';
import type { ResolvedOptions } from './options';

/** The part of the config this package reads. */
export type DynamoConfigFields = Pick<
  KinesisClientLibConfig,
  'tableName' | 'workerId' | 'regionName' | 'dynamoDBEndpoint' | 'dynamoDBCredentials' | 'failoverTimeMillis' | 'logger'
>;

/**
 * Checks `config.dynamoDBEndpoint` and returns it normalised (no trailing slash), or undefined when unset.
 * Throws {@link ConfigError} naming the option and the address for anything but an absolute http(s) URL; the address
 * is shown through `redactEndpoint` (user info and query strings may hold secrets).
 */
export function parseEndpoint(endpoint: string | undefined): URL | undefined {
  if (endpoint === undefined || endpoint === '') return undefined;
  const allowed = 'an absolute http:// or https:// URL with a host, e.g. http://127.0.0.1:8000';
  const rejected = (why = allowed): ConfigError =>
    new ConfigError('dynamoDBEndpoint', typeof endpoint === 'string' ? redactEndpoint(endpoint) : endpoint, why);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw withCause(rejected(), cause);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') throw rejected();
  if (url.username !== '' || url.password !== '') throw rejected(`${allowed}, without user name or password`);
  if (url.search !== '' || url.hash !== '') throw rejected(`${allowed}, without query or fragment`);
  return url;
}

/** The address shown in messages for a client built from `config`. */
export function describeConfiguredEndpoint(config: DynamoConfigFields): string {
  const url = parseEndpoint(config.dynamoDBEndpoint);
  return url ? formatUrl(url) : `https://dynamodb.${config.regionName}.amazonaws.com`;
}

/** Builds a client from the config: region, endpoint, credentials, retries, timeouts. */
export function createDynamoClient(config: DynamoConfigFields, options: ResolvedOptions, logger: Logger): DynamoDBClient {
  const url = parseEndpoint(config.dynamoDBEndpoint);
  if (typeof config.regionName !== 'string' || !/^[a-z0-9-]+$/.test(config.regionName)) {
    throw new ConfigError('regionName', config.regionName, 'an AWS region name such as us-east-1');
  }
  const timeouts = {
    connectionTimeout: options.connectionTimeoutMillis,
    requestTimeout: options.requestTimeoutMillis,
    // Without this the handler only logs a warning when requestTimeout passes and the call may hang for ever.
    throwOnRequestTimeout: true,
    logger: handlerLogger(logger),
  };
  const clientConfig: DynamoDBClientConfig = {
    region: config.regionName,
    maxAttempts: options.maxAttempts,
    // Plain-HTTP endpoints (local emulators) get an explicit HTTP/1.1 handler; AWS keeps the SDK's default handler,
    // which for DynamoDB is the HTTP/1.1 NodeHttpHandler with a keep-alive agent: calls reuse TLS connections
    // (test/client-connection-reuse.test.ts counts them against a local TLS server).
    requestHandler: url?.protocol === 'http:' ? new NodeHttpHandler(timeouts) : timeouts,
  };
  if (url) clientConfig.endpoint = formatUrl(url);
  // Static keys or a provider function; both have the SDK's credential shape.
  if (config.dynamoDBCredentials !== undefined) clientConfig.credentials = config.dynamoDBCredentials;
  return new DynamoDBClient(clientConfig);
}

/** Best-effort description of an injected client's endpoint (its configured endpoint, else the region's default). */
export async function describeClientEndpoint(client: DynamoDBClient): Promise<string> {
  const cfg = client.config as { endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path?: string }> };
  try {
    if (typeof cfg.endpoint === 'function') {
      const ep = await cfg.endpoint();
      const path = ep.path && ep.path !== '/' ? ep.path : '';
      return `${ep.protocol}//${ep.hostname}${ep.port ? `:${ep.port}` : ''}${path}`;
    }
    return `https://dynamodb.${await client.config.region()}.amazonaws.com`;
  } catch {
    // Only used to word messages: an injected client without a resolvable endpoint or region is described as such.
    return 'the endpoint of the injected DynamoDB client';
  }
}

/** Routes the HTTP handler's own log lines (timeouts, socket exhaustion) to our logger instead of the console. */
function handlerLogger(logger: Logger): {
  debug(...c: unknown[]): void;
  info(...c: unknown[]): void;
  warn(...c: unknown[]): void;
  error(...c: unknown[]): void;
} {
  const text = (content: unknown[]): string => content.map((c) => (typeof c === 'string' ? c : safeJson(c))).join(' ');
  return {
    debug: (...c) => logger.debug(text(c), { source: 'http-handler' }),
    info: (...c) => logger.debug(text(c), { source: 'http-handler' }),
    warn: (...c) => logger.warn(text(c), { source: 'http-handler' }),
    error: (...c) => logger.warn(text(c), { source: 'http-handler' }),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value); // circular structures
  }
}

function formatUrl(url: URL): string {
  return url.href.replace(/\/$/, '');
}

function withCause<E extends Error>(error: E, cause: unknown): E {
  Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  return error;
}

import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '@kcl/core';
import { RedisCluster } from 'redis';
import { displayHostPort, parseAddress } from './address';
import { assertKeyPrefix } from './name-rules';
import { redactAddress } from './redactor';
import type { RedisCheckpointOptions, RedisClientLike, RedisClusterLike, RedisTlsOptions } from './options';

/** Default first part of every key (go-kcl's). */
export const DEFAULT_KEY_PREFIX = 'kcl';

/** A connection this package opens itself. */
export interface OwnConnection {
  kind: 'own';
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  db: number;
  /** TLS socket options (always with a minimum version), or false. */
  tls: false | ConnectionOptions;
  /** `host:port` for messages. */
  display: string;
}

/** A node-redis client or cluster the caller gave us (never closed by us). */
export type InjectedConnection =
  { kind: 'client'; client: RedisClientLike; display: string } | { kind: 'cluster'; cluster: RedisClusterLike; display: string };

export interface ResolvedOptions {
  connection: OwnConnection | InjectedConnection;
  keyPrefix: string;
  hashTag: boolean;
  connectTimeoutMillis: number;
  commandTimeoutMillis: number;
  scanCount: number;
  /** Every password we know of, for redaction. */
  secrets: string[];
}

const CONNECTION_OPTIONS = ['address', 'username', 'password', 'db', 'tls'] as const;

/** Applies defaults and checks every option against the others; throws {@link ConfigError} naming the option. */
export function resolveOptions(options: RedisCheckpointOptions | undefined): ResolvedOptions {
  if (options === undefined || options === null || typeof options !== 'object') {
    throw new ConfigError('options', options, 'an object with `address` (or `client` / `cluster`)');
  }
  const secrets = [options.password].filter((s): s is string => typeof s === 'string');
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  assertKeyPrefix(keyPrefix);
  const connectTimeoutMillis = integer('connectTimeoutMillis', options.connectTimeoutMillis, 5_000, 1, 600_000);
  const commandTimeoutMillis = integer('commandTimeoutMillis', options.commandTimeoutMillis, 5_000, 0, 600_000);
  const scanCount = integer('scanCount', options.scanCount, 500, 1, 100_000);
  const hashTagOption = options.hashTag ?? 'auto';
  if (hashTagOption !== true && hashTagOption !== false && hashTagOption !== 'auto') {
    throw new ConfigError('hashTag', hashTagOption, "true, false or 'auto'");
  }

  const connection = resolveConnection(options, secrets);
  const isCluster = connection.kind === 'cluster';
  if (isCluster && hashTagOption === false) {
    throw new ConfigError(
      'hashTag',
      false,
      "true or 'auto' with a Redis Cluster",
      'Without a hash tag the keys of one application spread over slots and every lease script fails with CROSSSLOT.',
    );
  }
  return {
    connection,
    keyPrefix,
    hashTag: hashTagOption === 'auto' ? isCluster : hashTagOption,
    connectTimeoutMillis,
    commandTimeoutMillis,
    scanCount,
    secrets,
  };
}

function resolveConnection(options: RedisCheckpointOptions, secrets: string[]): OwnConnection | InjectedConnection {
  const injected = options.cluster ?? options.client;
  if (options.cluster !== undefined && options.client !== undefined) {
    throw new ConfigError('client', '[node-redis client]', 'unset when `cluster` is given', 'Pass one of them.');
  }
  if (injected !== undefined) {
    for (const name of CONNECTION_OPTIONS) {
      if (options[name] !== undefined) {
        throw new ConfigError(
          name,
          name === 'password' ? '***' : options[name],
          `unset when a node-redis ${options.cluster ? 'cluster' : 'client'} is injected`,
          'Configure the connection on the injected client instead.',
        );
      }
    }
    if (isCluster(injected)) return { kind: 'cluster', cluster: injected, display: 'injected node-redis cluster' };
    if (!isClient(injected)) {
      throw new ConfigError(
        options.cluster ? 'cluster' : 'client',
        '[not a node-redis client]',
        'a node-redis 6 client from createClient or createCluster',
      );
    }
    if (options.cluster !== undefined) {
      throw new ConfigError('cluster', '[node-redis client]', 'a cluster client from createCluster', 'Pass a createClient() client as `client`.');
    }
    return { kind: 'client', client: injected, display: 'injected node-redis client' };
  }

  if (options.address === undefined) {
    throw new ConfigError('address', undefined, 'host:port or a redis:// / rediss:// URL', 'Or inject a node-redis client as `client`.');
  }
  const parsed = parseAddress(options.address);
  if (parsed.password !== undefined) secrets.push(parsed.password);
  if (options.username !== undefined && (typeof options.username !== 'string' || options.username.length === 0)) {
    throw new ConfigError('username', options.username, 'a non-empty string');
  }
  if (options.password !== undefined && (typeof options.password !== 'string' || options.password.length === 0)) {
    throw new ConfigError('password', typeof options.password === 'string' ? '' : '[not a string]', 'a non-empty string');
  }
  const db = options.db ?? parsed.db ?? 0;
  if (typeof db !== 'number' || !Number.isInteger(db) || db < 0 || db > 15) {
    if (options.db !== undefined) throw new ConfigError('db', db, 'an integer from 0 to 15');
    throw new ConfigError('address', redactAddress(options.address), 'a URL whose database (path) is from /0 to /15');
  }
  const tls = resolveTls(options.tls, parsed.tls);
  return {
    kind: 'own',
    host: parsed.host,
    port: parsed.port,
    username: options.username ?? parsed.username,
    password: options.password ?? parsed.password,
    db,
    tls,
    display: displayHostPort(parsed.host, parsed.port),
  };
}

function resolveTls(option: boolean | RedisTlsOptions | undefined, impliedByUrl: boolean): false | ConnectionOptions {
  if (option === false && impliedByUrl) {
    throw new ConfigError('tls', false, 'true or unset with a rediss:// address', 'Use redis:// for a plain connection.');
  }
  if (option === undefined || option === false) return impliedByUrl ? { minVersion: 'TLSv1.2' } : false;
  if (option === true) return { minVersion: 'TLSv1.2' };
  if (typeof option !== 'object' || option === null) throw new ConfigError('tls', option, 'a boolean or TLS settings');
  const minVersion = option.minVersion ?? 'TLSv1.2';
  if (minVersion !== 'TLSv1.2' && minVersion !== 'TLSv1.3') {
    throw new ConfigError('tls.minVersion', minVersion, "'TLSv1.2' or 'TLSv1.3'", 'TLS older than 1.2 is not allowed.');
  }
  if (option.rejectUnauthorized !== undefined && typeof option.rejectUnauthorized !== 'boolean') {
    throw new ConfigError('tls.rejectUnauthorized', option.rejectUnauthorized, 'true or false');
  }
  const out: ConnectionOptions = { minVersion };
  if (option.ca !== undefined) out.ca = option.ca;
  if (option.cert !== undefined) out.cert = option.cert;
  if (option.key !== undefined) out.key = option.key;
  if (option.servername !== undefined) out.servername = option.servername;
  if (option.rejectUnauthorized !== undefined) out.rejectUnauthorized = option.rejectUnauthorized;
  return out;
}

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** True for a node-redis cluster client (`createCluster`). */
export function isCluster(value: unknown): value is RedisClusterLike {
  if (value instanceof RedisCluster) return true;
  const v = value as { sendCommand?: unknown; nodeClient?: unknown; masters?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.nodeClient === 'function' && typeof v.sendCommand === 'function' && 'masters' in v;
}

function isClient(value: unknown): value is RedisClientLike {
  const v = value as { sendCommand?: unknown; connect?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.sendCommand === 'function' && typeof v.connect === 'function';
}

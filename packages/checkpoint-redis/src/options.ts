/** Decoding options this package passes with every command (default decoding: strings, not Buffers). */
export interface CommandDecoding {
  typeMapping?: Record<never, never>;
  /** node-redis command timeout in ms (0 = none); only set for the client this package opens itself. */
  timeout?: number;
}

/**
 * What this package needs of an injected single-server client. Every node-redis 6 client from `createClient` (of
 * `redis` or `@redis/client`, with any modules, scripts, RESP version or type mapping) has it.
 */
export interface RedisClientLike {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  sendCommand(args: string[], options?: CommandDecoding): Promise<unknown>;
}

/** What this package needs of an injected cluster client: every node-redis 6 `createCluster` client has it. */
export interface RedisClusterLike {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[], options?: CommandDecoding): Promise<unknown>;
}

/** TLS settings for a connection this package opens. TLS is never weaker than TLS 1.2. */
export interface RedisTlsOptions {
  /** PEM CA certificate(s) to trust instead of Node's default CA store (e.g. a private CA). @defaultValue Node's CAs */
  ca?: string | Buffer | Array<string | Buffer>;
  /** PEM client certificate, for servers that require mutual TLS. @defaultValue none */
  cert?: string | Buffer;
  /** PEM private key of {@link cert}. @defaultValue none */
  key?: string | Buffer;
  /** Server name for SNI and certificate checks. @defaultValue the address's host when it is a name */
  servername?: string;
  /**
   * Verify the server certificate. Turning this off removes protection against man-in-the-middle attacks; use it
   * only against throwaway local servers (a warning is logged once at `init()` when it is off).
   * @defaultValue true
   */
  rejectUnauthorized?: boolean;
  /** Lowest TLS version accepted. @defaultValue 'TLSv1.2' */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

/**
 * Options of {@link RedisCheckpoint} (second constructor argument). Either connection options (`address`, ...) for a
 * connection the checkpointer opens and closes itself, or an existing node-redis `client` / `cluster` it only uses.
 */
export interface RedisCheckpointOptions {
  /**
   * Where the Redis server is, as go-kcl accepts it: `host:port` (e.g. `127.0.0.1:6379`, `[::1]:6379`), or a URL
   * `redis://[[user]:password@]host[:port][/db]` or `rediss://...` (TLS). A URL without a port uses 6379.
   * Required unless `client` or `cluster` is given.
   * @defaultValue none
   */
  address?: string;
  /** ACL user name; overrides the URL's. @defaultValue the URL's user, else none (the `default` user) */
  username?: string;
  /** Password (`AUTH`); overrides the URL's. Never logged nor shown in errors. @defaultValue the URL's, else none */
  password?: string;
  /** Database number 0-15 (`SELECT`); overrides the URL's `/db`. @defaultValue the URL's, else 0 */
  db?: number;
  /**
   * TLS: `true`, or settings (implies `true`). A `rediss://` address turns TLS on by itself; `tls: false` with a
   * `rediss://` address is rejected as contradictory. The minimum version is always TLS 1.2.
   * @defaultValue false (true for rediss://)
   */
  tls?: boolean | RedisTlsOptions;
  /**
   * First part of every key, as in go-kcl: `<keyPrefix>:<tableName>:shard:<shardId>` and
   * `<keyPrefix>:<tableName>:shards`. 1-255 characters without `{`, `}`, whitespace or control characters; may
   * contain `:` (a namespace such as `prod:kcl`) but not start or end with it. (The table name may not contain `:`,
   * so two applications never share keys.)
   * @defaultValue 'kcl'
   */
  keyPrefix?: string;
  /**
   * An existing node-redis client (`createClient`) to use instead of opening a connection. A cluster client
   * (`createCluster`) passed here is detected and treated like `cluster`. `init()` connects it if it is not open yet;
   * `close()` never closes it. Its `keyPrefix` option does not apply (commands are sent raw).
   * @defaultValue none
   */
  client?: RedisClientLike | RedisClusterLike;
  /** An existing node-redis cluster client (`createCluster`). Same rules as `client`. @defaultValue none */
  cluster?: RedisClusterLike;
  /**
   * Put the table name in a Redis Cluster hash tag: `kcl:{orders}:shard:...` instead of go-kcl's
   * `kcl:orders:shard:...`, so every key of one application lives in one slot and the Lua scripts (which touch a
   * lease hash and the shard set together) work on a cluster. `'auto'` turns it on for a cluster client and off
   * otherwise, which keeps go-kcl's key layout on a single server. `false` is rejected with a cluster client.
   * @defaultValue 'auto'
   */
  hashTag?: boolean | 'auto';
  /**
   * Upper bound for `init()` to connect, authenticate and get an answer, in milliseconds. Connection attempts are
   * retried with back-off within this time; a wrong password fails at once.
   * @defaultValue 5000
   */
  connectTimeoutMillis?: number;
  /**
   * How long one call waits for Redis before failing with a retryable `LeaseStoreUnavailableError` (0 = no limit).
   * A write that timed out may still have been applied.
   * @defaultValue 5000
   */
  commandTimeoutMillis?: number;
  /**
   * `COUNT` hint of each `SSCAN` page when listing leases. Every page is read either way.
   * @defaultValue 500
   */
  scanCount?: number;
}

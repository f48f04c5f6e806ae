import { randomUUID } from 'node:crypto';
import {
  assertStorableCheckpoint,
  type Checkpointer,
  ConfigError,
  type CoordinatorLease,
  InvalidArgumentError,
  type KinesisClientLibConfig,
  LeaseStoreError,
  LeaseStoreUnavailableError,
  type Logger,
  NoLeaseOwnerError,
  type OwnedLease,
  SequenceNotFoundError,
  type ShardStatus,
  type WorkerHeartbeat,
} from '@kcl/core';
import { ClientOfflineError } from 'redis';
import { connectOwnClient, type OwnClient } from './connection';
import { type LeaseKeys, leaseKeys } from './keys';
import { applyStoredLease, copyStoredLease as toShardStatus, groupActiveWorkers, type StoredLease } from '@kcl/core';
import { decodeLease, FIELD } from './lease-hash';
import { assertConfigWorkerId, assertShardId, assertTableName, assertWorkerIdArgument } from './name-rules';
import { NOOP_LOGGER } from '@kcl/core';
import type { RedisCheckpointOptions } from './options';
import { Redactor } from './redactor';
import { RedisCoordination } from './redis-coordination';
import { toLeaseStoreError } from './redis-errors';
import { clientExecutor, clusterExecutor, countingExecutor, type RedisExecutor, runScript, type ScriptingExecutor } from './redis-executor';
import { replyHash, replyScan, replyScript, replyString } from './reply';
import { type ResolvedOptions, resolveOptions } from './resolve-options';
import { ScriptStatus, statusError } from './script-status';
import { ScriptLoader } from './script-loader';
import { loadScript, SCRIPT_NAMES, type ScriptName } from './scripts';

/** How many lease hashes `listLeases` requests at once (pipelined, no MULTI). */
const READ_BATCH = 256;

/**
 * The Redis lease store ({@link Checkpointer}) with go-kcl's key layout and hash fields.
 *
 * ```ts
 * const checkpointer = new RedisCheckpoint(config, { address: 'rediss://redis.internal:6380', password });
 * const worker = new Worker(factory, config).withCheckpointer(checkpointer);
 * ```
 *
 * Every lease transition is one Lua script (see `src/lua`), run with EVALSHA: the scripts are loaded with SCRIPT LOAD
 * at init, and once more (one load shared by every waiting call) when the server lost its script cache. Lease expiry
 * is never decided here: the worker watches `LeaseCounter`; `LeaseTimeout` is written from the server's clock for
 * go-kcl tooling only.
 */
export class RedisCheckpoint implements Checkpointer {
  /** The keys of this application (e.g. `keys.shard('shardId-000000000001')`, `keys.shards`). */
  readonly keys: LeaseKeys;
  private readonly options: ResolvedOptions;
  private readonly workerId: string;
  private readonly failoverTimeMillis: number;
  private readonly logger: Logger;
  private readonly redactor: Redactor;
  private executor: ScriptingExecutor | undefined;
  private ownClient: OwnClient | undefined;
  private initPromise: Promise<void> | undefined;
  private closed = false;
  private tlsWarned = false;
  private readonly coordination: RedisCoordination;
  private readonly sentCommands = new Map<string, number>();

  /**
   * @param config uses `tableName` (part of every key), `workerId` (owner for `removeLeaseOwner`),
   *   `failoverTimeMillis` (only for the informational LeaseTimeout) and `logger`.
   * @param options where Redis is, or an existing node-redis client; see {@link RedisCheckpointOptions}.
   * @throws ConfigError for a bad option (passwords are never shown).
   */
  constructor(config: KinesisClientLibConfig, options: RedisCheckpointOptions) {
    if (config === null || typeof config !== 'object') throw new ConfigError('config', config, 'a KinesisClientLibConfig');
    const { tableName, workerId, failoverTimeMillis } = config;
    assertTableName(tableName);
    assertConfigWorkerId(workerId);
    if (typeof failoverTimeMillis !== 'number' || !Number.isSafeInteger(failoverTimeMillis) || failoverTimeMillis <= 0) {
      throw new ConfigError('failoverTimeMillis', failoverTimeMillis, 'an integer number of milliseconds > 0');
    }
    this.options = resolveOptions(options);
    this.workerId = workerId;
    this.failoverTimeMillis = failoverTimeMillis;
    this.keys = leaseKeys(this.options.keyPrefix, tableName, this.options.hashTag);
    this.redactor = new Redactor(this.options.secrets);
    this.logger = (config.logger ?? NOOP_LOGGER).child({ leaseStore: 'redis', keys: this.keys.base });
    this.coordination = new RedisCoordination({
      keys: this.keys,
      failoverTimeMillis,
      run: (operation, fn) => this.run(operation, fn),
    });
  }

  /** Connects (bounded by `connectTimeoutMillis`), authenticates and checks the server answers. Idempotent. */
  async init(): Promise<void> {
    this.assertOpen();
    if (!this.initPromise) {
      const attempt = this.connect();
      this.initPromise = attempt;
      attempt.catch(() => {
        if (this.initPromise === attempt) this.initPromise = undefined; // a later init() tries again
      });
    }
    return this.initPromise;
  }

  async takeLease(shard: ShardStatus, newAssignTo: string): Promise<void> {
    checkShard(shard);
    checkWorkerId('takeLease', newAssignTo);
    const parents = shard.parentShardIds;
    if (parents.some((p) => p.includes(','))) throw new InvalidArgumentError(`Parent shard ids of ${shard.id} must not contain ","`);
    const stored = await this.run(`takeLease(${shard.id})`, (exec) =>
      this.transition(
        exec,
        'take-lease',
        shard.id,
        [this.keys.shard(shard.id), this.keys.shards],
        [
          shard.id,
          newAssignTo,
          randomUUID(),
          String(shard.leaseCounter),
          String(this.failoverTimeMillis),
          shard.parentShardId ?? parents[0] ?? '',
          parents.join(','),
          this.keys.ownerPrefix,
        ],
        newAssignTo,
        shard.leaseCounter,
      ),
    );
    applyStoredLease(shard, stored);
    this.logger.debug('lease taken', { shardId: shard.id, workerId: newAssignTo, leaseCounter: shard.leaseCounter });
  }

  async renewLease(shard: ShardStatus, workerId: string): Promise<void> {
    checkShard(shard);
    checkWorkerId('renewLease', workerId);
    const token = shard.leaseToken;
    if (typeof token !== 'string' || token.length === 0) {
      throw new InvalidArgumentError(`renewLease(${shard.id}) needs the lease token of the tenure, got ${JSON.stringify(token)}`);
    }
    const stored = await this.run(`renewLease(${shard.id})`, (exec) =>
      this.transition(
        exec,
        'renew-lease',
        shard.id,
        [this.keys.shard(shard.id)],
        [workerId, token, String(this.failoverTimeMillis), shard.id, this.keys.ownerPrefix],
        workerId,
      ),
    );
    applyStoredLease(shard, stored);
    this.logger.debug('lease renewed', { shardId: shard.id, workerId, leaseCounter: shard.leaseCounter });
  }

  async checkpointSequence(shard: ShardStatus): Promise<void> {
    checkShard(shard);
    const checkpoint = shard.checkpoint;
    const sub = shard.subSequenceNumber;
    assertStorableCheckpoint(shard.id, checkpoint, sub);
    await this.run(`checkpointSequence(${shard.id})`, (exec) =>
      this.transition(
        exec,
        'checkpoint',
        shard.id,
        [this.keys.shard(shard.id)],
        [shard.assignedTo ?? '', shard.leaseToken ?? '', checkpoint, sub === undefined ? '' : String(sub)],
        shard.assignedTo ?? '(no owner)',
        undefined,
        { checkpoint, subSequenceNumber: sub },
      ),
    );
    this.logger.debug('checkpoint written', { shardId: shard.id, checkpoint: shard.checkpoint });
  }

  async fetchCheckpoint(shard: ShardStatus): Promise<void> {
    checkShard(shard);
    const hash = await this.run(`fetchCheckpoint(${shard.id})`, async (exec) => {
      const key = this.keys.shard(shard.id);
      return replyHash(await exec.send(key, ['HGETALL', key]));
    });
    if (Object.keys(hash).length === 0) throw new SequenceNotFoundError(shard.id);
    applyStoredLease(shard, decodeLease(shard.id, hash));
    if (shard.checkpoint === undefined) throw new SequenceNotFoundError(shard.id);
  }

  async removeLeaseInfo(shardId: string): Promise<void> {
    checkShardId(shardId);
    await this.run(`removeLeaseInfo(${shardId})`, (exec) =>
      this.transition(exec, 'remove-lease', shardId, [this.keys.shard(shardId), this.keys.shards], [shardId, this.keys.ownerPrefix], this.workerId),
    );
    this.logger.info('lease removed', { shardId });
  }

  async removeLeaseOwner(shardId: string, leaseToken: string): Promise<void> {
    checkShardId(shardId);
    if (typeof leaseToken !== 'string' || leaseToken.length === 0) {
      throw new InvalidArgumentError(
        `removeLeaseOwner(${shardId}) needs the lease token of the tenure to release, got ${JSON.stringify(leaseToken)}`,
      );
    }
    await this.run(`removeLeaseOwner(${shardId})`, (exec) =>
      this.transition(
        exec,
        'release-lease',
        shardId,
        [this.keys.shard(shardId)],
        [this.workerId, leaseToken, shardId, this.keys.ownerPrefix],
        this.workerId,
      ),
    );
    this.logger.debug('lease released', { shardId, workerId: this.workerId });
  }

  async getLeaseOwner(shardId: string): Promise<string> {
    checkShardId(shardId);
    const owner = await this.run(`getLeaseOwner(${shardId})`, async (exec) => {
      const key = this.keys.shard(shardId);
      return replyString(await exec.send(key, ['HGET', key, FIELD.assignedTo]));
    });
    if (owner === undefined || owner.length === 0) throw new NoLeaseOwnerError(shardId);
    return owner;
  }

  async listActiveWorkers(shardStatus: Map<string, ShardStatus>): Promise<Map<string, ShardStatus[]>> {
    return groupActiveWorkers(await this.readAll('listActiveWorkers'), shardStatus);
  }

  async claimShard(shard: ShardStatus, claimId: string): Promise<void> {
    checkShard(shard);
    checkWorkerId('claimShard', claimId);
    await this.run(`claimShard(${shard.id})`, (exec) =>
      this.transition(exec, 'claim-shard', shard.id, [this.keys.shard(shard.id)], [shard.assignedTo ?? '', claimId], claimId),
    );
    shard.claimRequest = claimId;
    this.logger.debug('shard claimed', { shardId: shard.id, claimRequest: claimId });
  }

  async listLeases(): Promise<ShardStatus[]> {
    return (await this.readAll('listLeases')).map(toShardStatus);
  }

  // ---- Fleet coordination (redis-coordination.ts): worker registry, coordinator lease, owner sets, hand-off, batch renewal.
  heartbeat(workerId: string): Promise<void> {
    return this.coordination.heartbeat(workerId);
  }
  removeWorker(workerId: string): Promise<void> {
    return this.coordination.removeWorker(workerId);
  }
  listWorkers(): Promise<WorkerHeartbeat[]> {
    return this.coordination.listWorkers();
  }
  getCoordinatorLease(): Promise<CoordinatorLease | undefined> {
    return this.coordination.getCoordinatorLease();
  }
  takeCoordinatorLease(workerId: string, observedCounter: number): Promise<CoordinatorLease> {
    return this.coordination.takeCoordinatorLease(workerId, observedCounter);
  }
  renewCoordinatorLease(workerId: string, leaseToken: string): Promise<CoordinatorLease> {
    return this.coordination.renewCoordinatorLease(workerId, leaseToken);
  }
  releaseCoordinatorLease(workerId: string, leaseToken: string): Promise<void> {
    return this.coordination.releaseCoordinatorLease(workerId, leaseToken);
  }
  listOwnedLeases(workerId: string): Promise<OwnedLease[]> {
    return this.coordination.listOwnedLeases(workerId);
  }
  transferLease(shardId: string, leaseToken: string, fromWorker: string, toWorker: string): Promise<ShardStatus> {
    return this.coordination.transferLease(shardId, leaseToken, fromWorker, toWorker);
  }
  /** Renews every entry in one script call (one round trip); one result per entry, a lost lease fails alone. */
  renewLeases(shards: ShardStatus[], workerId: string): Promise<Array<ShardStatus | Error>> {
    return this.coordination.renewLeases(shards, workerId);
  }

  /**
   * How many commands this checkpointer has sent, per command name (e.g. `{ HGETALL: 1000, EVALSHA: 250, SMEMBERS: 2 }`),
   * since it was created: the lease-store load this worker causes, seen from the client (a Lua script counts as one
   * EVALSHA whatever it does inside; `INFO commandstats` on the server counts the commands inside scripts too).
   */
  commandCounts(): Record<string, number> {
    return Object.fromEntries(this.sentCommands);
  }

  /** Closes the connection this checkpointer opened (an injected client stays open). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.initPromise?.catch(() => undefined);
    const own = this.ownClient;
    this.ownClient = undefined;
    this.executor = undefined;
    if (own) await own.close();
  }

  private async connect(): Promise<void> {
    const { connection, connectTimeoutMillis, commandTimeoutMillis } = this.options;
    const display = connection.display;
    this.warnUnverifiedTls();
    this.logger.debug('connecting to the Redis lease store', {
      address: display,
      ...(connection.kind === 'own' ? { db: connection.db, tls: connection.tls !== false } : {}),
      hashTag: this.options.hashTag,
    });
    let own: OwnClient | undefined;
    try {
      let executor: RedisExecutor;
      if (connection.kind === 'own') {
        own = await connectOwnClient(connection, { connectTimeoutMillis, logger: this.logger, redactor: this.redactor });
        executor = clientExecutor(own.client, commandTimeoutMillis, display, true);
      } else {
        const injected = connection.kind === 'client' ? connection.client : connection.cluster;
        if (!injected.isOpen) await withDeadline<unknown>(injected.connect(), connectTimeoutMillis, display);
        executor =
          connection.kind === 'client'
            ? clientExecutor(connection.client, commandTimeoutMillis, display)
            : clusterExecutor(connection.cluster, commandTimeoutMillis, display);
      }
      // Reaches the node that owns this application's keys (on a cluster) and proves the credentials work.
      await executor.send(this.keys.shards, ['EXISTS', this.keys.shards]);
      const counted = countingExecutor(executor, this.sentCommands);
      const scripts = new ScriptLoader(counted, this.logger);
      // Every lease script once, now: a worker's first takes then all find them (no NOSCRIPT storm of full EVALs).
      await scripts.preload(this.keys.shards, SCRIPT_NAMES.map(loadScript));
      if (this.closed) throw new LeaseStoreError('RedisCheckpoint was closed during init()');
      own?.markReady();
      this.ownClient = own;
      this.executor = { send: (key, args) => counted.send(key, args), scripts };
    } catch (error) {
      await own?.close();
      const mapped = toLeaseStoreError(error, { operation: 'init', display, redactor: this.redactor });
      this.logger.error('Redis lease store init failed', { address: display, error: mapped.message });
      throw mapped;
    }
    this.logger.info('Redis lease store ready', { address: display, keys: this.keys.base });
  }

  /**
   * `tls.rejectUnauthorized: false` accepts any server certificate (a man in the middle could read and forge every
   * lease): allowed for throwaway local servers, but never silently. Warns once per checkpointer, at the first init.
   */
  private warnUnverifiedTls(): void {
    const { connection } = this.options;
    if (this.tlsWarned || connection.kind !== 'own' || connection.tls === false || connection.tls.rejectUnauthorized !== false) return;
    this.tlsWarned = true;
    this.logger.warn(
      'TLS certificate verification is OFF for the Redis lease store (tls.rejectUnauthorized: false): the server is not authenticated and a man in the middle could read or change every lease. Use it only with a throwaway local server; pass tls.ca to trust a private CA instead.',
      { address: connection.display },
    );
  }

  /** Ensures init, runs `fn`, maps any non-KclError to a typed LeaseStore* error. */
  private async run<T>(operation: string, fn: (executor: ScriptingExecutor) => Promise<T>): Promise<T> {
    await this.init();
    const executor = this.executor;
    if (!executor) throw new LeaseStoreError(`RedisCheckpoint is closed; ${operation} was not run`);
    try {
      return await fn(executor);
    } catch (error) {
      // While our own connection is down, calls fail with ClientOfflineError; the reason is the connection's error
      // (e.g. WRONGPASS after a password rotation -> LeaseStoreAuthError, ECONNREFUSED -> unavailable).
      const reason = error instanceof ClientOfflineError && this.ownClient?.lastError !== undefined ? this.ownClient.lastError : error;
      throw toLeaseStoreError(reason, { operation, display: this.options.connection.display, redactor: this.redactor });
    }
  }

  /** Runs one lease script and turns its return code into the stored lease or the typed error. */
  private async transition(
    executor: ScriptingExecutor,
    name: ScriptName,
    shardId: string,
    keys: string[],
    args: string[],
    workerId: string,
    observedCounter?: number,
    attempted?: { checkpoint: string; subSequenceNumber: number | undefined },
  ): Promise<StoredLease> {
    const { status, hash } = replyScript(await runScript(executor, loadScript(name), keys, args));
    const error = statusError(status, {
      shardId,
      workerId,
      stored: hash,
      ...(observedCounter !== undefined ? { observedCounter } : {}),
      ...(attempted !== undefined ? { attempted } : {}),
    });
    if (error) throw error;
    if (status === ScriptStatus.Unchanged) this.logger.debug(`${name}: nothing to change`, { shardId });
    return decodeLease(shardId, hash);
  }

  /** Every stored lease: SSCAN over all pages of the shard set, then HGETALL in pipelined batches. */
  private async readAll(operation: string): Promise<StoredLease[]> {
    return this.run(operation, async (exec) => {
      const ids = new Set<string>();
      let cursor = '0';
      do {
        const page = replyScan(await exec.send(this.keys.shards, ['SSCAN', this.keys.shards, cursor, 'COUNT', String(this.options.scanCount)]));
        for (const id of page.members) ids.add(id);
        cursor = page.cursor;
      } while (cursor !== '0');
      const sorted = [...ids].sort();
      const leases: StoredLease[] = [];
      for (let i = 0; i < sorted.length; i += READ_BATCH) {
        const batch = sorted.slice(i, i + READ_BATCH);
        const hashes = await Promise.all(batch.map((id) => exec.send(this.keys.shard(id), ['HGETALL', this.keys.shard(id)])));
        batch.forEach((id, j) => {
          const hash = replyHash(hashes[j]);
          if (Object.keys(hash).length > 0) leases.push(decodeLease(id, hash)); // a set member whose hash is gone
        });
      }
      return leases;
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new LeaseStoreError(`RedisCheckpoint of ${this.workerId} is closed`);
  }
}

function checkShardId(shardId: unknown): asserts shardId is string {
  assertShardId(shardId);
}

function checkShard(shard: ShardStatus): void {
  if (shard === null || typeof shard !== 'object') throw new InvalidArgumentError('A ShardStatus object is required');
  checkShardId(shard.id);
  if (!Number.isSafeInteger(shard.leaseCounter) || shard.leaseCounter < 0) {
    throw new InvalidArgumentError(`leaseCounter of shard ${shard.id} must be an integer >= 0, got ${String(shard.leaseCounter)}`);
  }
  if (!Array.isArray(shard.parentShardIds)) throw new InvalidArgumentError(`parentShardIds of shard ${shard.id} must be an array`);
}

function checkWorkerId(method: string, workerId: unknown): void {
  assertWorkerIdArgument(method, method === 'claimShard' ? 'claimer id' : 'worker id', workerId);
}

async function withDeadline<T>(promise: Promise<T>, millis: number, display: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  promise.catch(() => undefined);
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LeaseStoreUnavailableError(`Redis lease store at ${display} did not connect within ${millis} ms (connectTimeoutMillis)`)),
          millis,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

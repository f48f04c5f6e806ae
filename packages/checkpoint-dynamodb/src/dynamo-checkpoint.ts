import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  assertStorableCheckpoint,
  COORDINATOR_LEASE_ID,
  groupActiveWorkers,
  NOOP_LOGGER,
  InvalidArgumentError,
  LeaseLostError,
  LeaseNotAcquiredError,
  NoLeaseOwnerError,
  SequenceNotFoundError,
  WorkerStateError,
} from '@kcl/core';
import type { Checkpointer, CoordinatorLease, KinesisClientLibConfig, Logger, OwnedLease, ShardStatus, WorkerHeartbeat } from '@kcl/core';
import { CapacityMeter } from './capacity-meter';
import type { ConsumedCapacityReport } from './capacity-meter';
import { createDynamoClient, describeClientEndpoint, describeConfiguredEndpoint } from './client-factory';
import type { DynamoConfigFields } from './client-factory';
import {
  checkpointConflict,
  claimConflict,
  coordinatorTakeConflict,
  coordinatorTenureConflict,
  releaseConflict,
  removeConflict,
  takeConflict,
  tenureConflict,
  transferConflict,
} from './conflicts';
import { AssignmentSignals } from './assignment-signals';
import {
  heartbeatWrite,
  isCoordinationKey,
  registryState,
  releaseCoordinatorWrite,
  removeWorkerWrite,
  renewCoordinatorWrite,
  takeCoordinatorWrite,
  WORKER_KEY_PREFIX,
  workerKey,
} from './coordination-writes';
import { toKclError } from './dynamo-errors';
import { ExpressionBuilder } from './expression-builder';
import { applyItem, itemToShardStatus, LeaseAttributes } from './lease-item';
import type { LeaseItem } from './lease-item';
import { ensureLeaseTable } from './lease-table';
import { checkpointWrite, claimWrite, releaseWrite, removeWrite, renewWrite, takeWrite, transferWrite } from './lease-writes';
import { resolveOptions } from './options';
import type { DynamoCheckpointOptions, ResolvedOptions } from './options';
import { OwnedLeaseCache } from './owned-lease-cache';
import { OwnerIndex } from './owner-index';
import { TableAccess } from './table-access';

interface Connection {
  client: DynamoDBClient;
  /** True when this checkpointer created the client (and so destroys it in close()). */
  owned: boolean;
  /** The lease table's data calls (error mapping, conflicts, paging, metering). */
  table: TableAccess;
  ownerIndex: OwnerIndex;
  /** `listOwnedLeases` of the own worker id (config.workerId), kept between reads of the owner index. */
  ownLeases: OwnedLeaseCache;
  /** Assignment signals to the workers this store gives leases to. */
  signals: AssignmentSignals;
}

/**
 * The DynamoDB lease store: go-kcl's `DynamoCheckpoint` with @kcl's lease safety rules. One row per shard in the
 * table `config.tableName` (created at {@link init} when missing), next to the fleet-coordination items (coordinator
 * lease, worker registry) and with the owner index `AssignedTo-index` for {@link listOwnedLeases}. Every lease
 * transition is one conditional UpdateItem; see the package README for the table layout, the owner index, IAM
 * permissions and go-kcl compatibility.
 *
 * ```ts
 * const checkpointer = new DynamoCheckpoint(config).withDynamoDB(); // or .withDynamoDB(myClient)
 * await checkpointer.init();
 * ```
 */
export class DynamoCheckpoint implements Checkpointer {
  private readonly config: DynamoConfigFields;
  private readonly options: ResolvedOptions;
  private readonly logger: Logger;
  private readonly meter: CapacityMeter;
  private injected: DynamoDBClient | undefined;
  private connection: Connection | undefined;
  private initializing: Promise<Connection> | undefined;

  /**
   * @param config the worker configuration; reads tableName, workerId, regionName, dynamoDBEndpoint,
   *   dynamoDBCredentials, failoverTimeMillis and logger.
   * @param options table creation, owner index, retry, timeout and metering settings (see {@link DynamoCheckpointOptions}).
   * @throws ConfigError when an option is out of range.
   */
  constructor(config: KinesisClientLibConfig, options: DynamoCheckpointOptions = {}) {
    this.config = config;
    this.options = resolveOptions(options);
    this.logger = (config.logger ?? NOOP_LOGGER).child({ component: 'DynamoCheckpoint', tableName: config.tableName });
    this.meter = new CapacityMeter(this.options.reportConsumedCapacity);
  }

  /**
   * Uses `client` for every call instead of creating one from the config (`undefined` restores the default). An
   * injected client keeps its own endpoint, credentials and retry settings and is never destroyed by {@link close}.
   * Call before {@link init}.
   */
  withDynamoDB(client?: DynamoDBClient): this {
    if (this.connection !== undefined || this.initializing !== undefined) {
      throw new WorkerStateError('withDynamoDB() must be called before init()');
    }
    this.injected = client;
    return this;
  }

  /** The table name leases are stored in. */
  get tableName(): string {
    return this.config.tableName;
  }

  /**
   * Totals of the data calls made so far: requests per operation and refused conditional writes (always counted),
   * and the read and write capacity units DynamoDB reported (only with the option `reportConsumedCapacity`; 0
   * otherwise). For measuring, e.g. capacity per second between two snapshots. Never resets; survives close().
   */
  consumedCapacity(): ConsumedCapacityReport {
    return this.meter.report();
  }

  /**
   * Creates the client (unless injected), creates the lease table (with the owner index) if missing and waits until
   * it is ACTIVE. On an existing table without the owner index it starts adding it (option `createOwnerIndex`; never
   * waits for it, never fails because of it).
   * Idempotent: concurrent and repeated calls share one initialisation; after a failure the next call retries.
   * @throws ConfigError for a malformed endpoint or region, LeaseStoreUnavailableError when DynamoDB cannot be
   *   reached, LeaseStoreAuthError when it rejects the credentials, LeaseStoreError otherwise; each names the endpoint.
   */
  async init(): Promise<void> {
    if (this.connection !== undefined) return;
    this.initializing ??= this.connect().finally(() => {
      this.initializing = undefined;
    });
    this.connection = await this.initializing;
  }

  private async connect(): Promise<Connection> {
    const owned = this.injected === undefined;
    const endpoint = owned ? describeConfiguredEndpoint(this.config) : await describeClientEndpoint(this.injected as DynamoDBClient);
    const client = this.injected ?? createDynamoClient(this.config, this.options, this.logger);
    try {
      const { outcome, table: description } = await ensureLeaseTable(client, this.config.tableName, this.options, this.logger, endpoint);
      const table = new TableAccess(client, this.config.tableName, endpoint, this.meter, this.options.scanPageSize);
      const ownerIndex = new OwnerIndex(
        table,
        { createOwnerIndex: this.options.createOwnerIndex, checkIntervalMillis: this.options.ownerIndexCheckIntervalMillis },
        this.logger,
      );
      await ownerIndex.start(description);
      const workerId = this.config.workerId;
      const ownLeases = new OwnedLeaseCache({
        refreshMillis: this.options.ownedLeasesRefreshMillis,
        readIndex: () => ownerIndex.listOwned(workerId),
        // Eventually consistent (half a unit): a stale epoch only delays the Query to the next call.
        readRegistry: async () => registryState(await table.getItem(workerKey(workerId), `readAssignmentEpoch ${workerId}`, false)),
      });
      this.logger.debug('Lease table ready', { endpoint, outcome });
      return { client, owned, table, ownerIndex, ownLeases, signals: new AssignmentSignals(table, this.logger) };
    } catch (error) {
      if (owned) client.destroy();
      throw toKclError(error, { operation: 'init', endpoint, tableName: this.config.tableName });
    }
  }

  async takeLease(shard: ShardStatus, newAssignTo: string): Promise<void> {
    requireId(shard.id, 'shard.id');
    requireId(newAssignTo, 'newAssignTo');
    if (!Number.isInteger(shard.leaseCounter) || shard.leaseCounter < 0) {
      throw new InvalidArgumentError(`shard.leaseCounter must be a non-negative integer, got ${String(shard.leaseCounter)}`);
    }
    const leaseTimeout = new Date(Date.now() + this.config.failoverTimeMillis);
    const input = takeWrite(this.tableName, shard, newAssignTo, randomUUID(), leaseTimeout);
    const item = await this.ready().table.conditionalWrite(`take ${shard.id}`, shard.id, input, (current, cause) =>
      takeConflict(shard.id, shard.leaseCounter, current, cause),
    );
    applyItem(shard, item);
    this.noteOwner(shard.id, newAssignTo, shard.leaseCounter);
    if (newAssignTo !== this.config.workerId) await this.ready().signals.signal(newAssignTo);
    this.logger.debug('Lease taken', { shardId: shard.id, workerId: newAssignTo, leaseCounter: shard.leaseCounter });
  }

  async renewLease(shard: ShardStatus, workerId: string): Promise<void> {
    requireId(shard.id, 'shard.id');
    requireId(workerId, 'workerId');
    requireId(shard.leaseToken, 'shard.leaseToken');
    const leaseTimeout = new Date(Date.now() + this.config.failoverTimeMillis);
    const input = renewWrite(this.tableName, shard.id, workerId, shard.leaseToken, leaseTimeout);
    const item = await this.watchLoss(
      shard.id,
      workerId,
      this.ready().table.conditionalWrite(`renew ${shard.id}`, shard.id, input, (current, cause) =>
        tenureConflict('renewed', shard.id, workerId, current, cause),
      ),
    );
    applyItem(shard, item);
    this.noteOwner(shard.id, workerId, shard.leaseCounter);
  }

  async checkpointSequence(shard: ShardStatus): Promise<void> {
    requireId(shard.id, 'shard.id');
    const checkpoint = shard.checkpoint;
    const sub = shard.subSequenceNumber;
    assertStorableCheckpoint(shard.id, checkpoint, sub);
    const owner = shard.assignedTo;
    const token = shard.leaseToken;
    if (owner === undefined || token === undefined) {
      throw new LeaseLostError(shard.id, `Shard ${shard.id} is not leased by this worker (no owner or lease token); checkpoint NOT written`);
    }
    const input = checkpointWrite(this.tableName, shard.id, owner, token, checkpoint, sub);
    await this.watchLoss(
      shard.id,
      owner,
      this.ready().table.conditionalWrite(`checkpoint ${shard.id}`, shard.id, input, (current, cause) =>
        checkpointConflict(shard.id, owner, token, { checkpoint, subSequenceNumber: sub }, current, cause),
      ),
    );
  }

  async fetchCheckpoint(shard: ShardStatus): Promise<void> {
    requireId(shard.id, 'shard.id');
    const item = await this.ready().table.getItem(shard.id, `fetchCheckpoint ${shard.id}`);
    if (item === undefined) {
      this.noteOwner(shard.id, undefined, 0);
      throw new SequenceNotFoundError(shard.id, `No lease is stored for shard ${shard.id}`);
    }
    applyItem(shard, item);
    this.noteOwner(shard.id, shard.assignedTo, shard.leaseCounter);
    if (shard.checkpoint === undefined) throw new SequenceNotFoundError(shard.id);
  }

  async removeLeaseInfo(shardId: string): Promise<void> {
    requireId(shardId, 'shardId');
    await this.ready().table.conditionalWrite(`removeLeaseInfo ${shardId}`, shardId, removeWrite(this.tableName, shardId), (current, cause) =>
      removeConflict(shardId, current, cause),
    );
    this.noteOwner(shardId, undefined, 0);
  }

  async removeLeaseOwner(shardId: string, leaseToken: string): Promise<void> {
    requireId(shardId, 'shardId');
    requireId(leaseToken, 'leaseToken');
    const owner = this.config.workerId;
    const input = releaseWrite(this.tableName, shardId, owner, leaseToken);
    await this.watchLoss(
      shardId,
      owner,
      this.ready().table.conditionalWrite(`removeLeaseOwner ${shardId}`, shardId, input, (current, cause) =>
        releaseConflict(shardId, owner, leaseToken, current, cause),
      ),
    );
    this.noteOwner(shardId, undefined, 0);
  }

  async getLeaseOwner(shardId: string): Promise<string> {
    requireId(shardId, 'shardId');
    const item = await this.ready().table.getItem(shardId, `getLeaseOwner ${shardId}`);
    const stored = item === undefined ? undefined : itemToShardStatus(item);
    const owner = stored?.assignedTo;
    this.noteOwner(shardId, owner, stored?.leaseCounter ?? 0);
    if (owner === undefined) throw new NoLeaseOwnerError(shardId);
    return owner;
  }

  async listActiveWorkers(shardStatus: Map<string, ShardStatus>): Promise<Map<string, ShardStatus[]>> {
    const items = new Map<string, LeaseItem>();
    for await (const item of this.shardItems('listActiveWorkers')) items.set(itemToShardStatus(item).id, item);
    const rows = [...items.values()].map(itemToShardStatus);
    // A known shard is updated from its row as fetchCheckpoint does (parents known from ListShards are kept).
    return groupActiveWorkers(rows, shardStatus, (target) => applyItem(target, items.get(target.id) as LeaseItem));
  }

  async claimShard(shard: ShardStatus, claimId: string): Promise<void> {
    requireId(shard.id, 'shard.id');
    requireId(claimId, 'claimId');
    const observedOwner = shard.assignedTo;
    if (observedOwner === undefined) {
      throw new LeaseNotAcquiredError(shard.id, `Shard ${shard.id} cannot be claimed: it has no owner (take the lease instead)`);
    }
    const input = claimWrite(this.tableName, shard.id, observedOwner, claimId);
    const item = await this.ready().table.conditionalWrite(`claimShard ${shard.id}`, shard.id, input, (current, cause) =>
      claimConflict(shard.id, observedOwner, current, cause),
    );
    applyItem(shard, item);
  }

  async listLeases(): Promise<ShardStatus[]> {
    const leases: ShardStatus[] = [];
    for await (const item of this.shardItems('listLeases')) leases.push(itemToShardStatus(item));
    return leases;
  }

  // ---- Fleet coordination (docs/design/fleet-coordination.md; items and writes in coordination-writes.ts). No
  // renewLeases: DynamoDB has no conditional batch write outside transactions, so each renewal stays one conditional
  // UpdateItem per lease.

  async heartbeat(workerId: string): Promise<void> {
    requireId(workerId, 'workerId');
    const item = await this.ready().table.update(`heartbeat ${workerId}`, heartbeatWrite(this.tableName, workerId));
    if (workerId === this.config.workerId) this.ready().ownLeases.observe(registryState(item));
  }

  async removeWorker(workerId: string): Promise<void> {
    requireId(workerId, 'workerId');
    await this.ready().table.delete(`removeWorker ${workerId}`, removeWorkerWrite(this.tableName, workerId));
    // Without its registry item the worker gets no assignment signals: read the owner index from now on.
    if (workerId === this.config.workerId) this.ready().ownLeases.reset();
  }

  /**
   * Every registry item: a Scan of the whole table filtered on the registry prefix (DynamoDB cannot Query a prefix of
   * the hash key), strongly consistent like listLeases; only the leader calls it, once per refresh period.
   */
  async listWorkers(): Promise<WorkerHeartbeat[]> {
    const b = new ExpressionBuilder();
    const id = b.name(LeaseAttributes.shardId);
    const items = this.ready().table.scan('listWorkers', {
      FilterExpression: `begins_with(${id}, ${b.string(WORKER_KEY_PREFIX)})`,
      ProjectionExpression: `${id}, ${b.name(LeaseAttributes.leaseCounter)}`,
      ...b.attributes(),
      ConsistentRead: true,
    });
    const workers: WorkerHeartbeat[] = [];
    for await (const item of items) {
      const entry = itemToShardStatus(item);
      if (entry.id.startsWith(WORKER_KEY_PREFIX)) workers.push({ workerId: entry.id.slice(WORKER_KEY_PREFIX.length), counter: entry.leaseCounter });
    }
    return workers;
  }

  async getCoordinatorLease(): Promise<CoordinatorLease | undefined> {
    // Eventually consistent (half a read unit): only non-leaders read it, to watch its counter for a failover time; a
    // stale answer at worst restarts that watch or leads to a take refused by its condition on the stored counter.
    const item = await this.ready().table.getItem(COORDINATOR_LEASE_ID, 'getCoordinatorLease', false);
    return item === undefined ? undefined : toCoordinatorLease(item);
  }

  async takeCoordinatorLease(workerId: string, observedCounter: number): Promise<CoordinatorLease> {
    requireId(workerId, 'workerId');
    if (!Number.isSafeInteger(observedCounter) || observedCounter < 0) {
      throw new InvalidArgumentError(`observedCounter must be an integer >= 0, got ${JSON.stringify(observedCounter)}`);
    }
    const input = takeCoordinatorWrite(this.tableName, workerId, observedCounter, randomUUID());
    const item = await this.ready().table.conditionalWrite('takeCoordinatorLease', COORDINATOR_LEASE_ID, input, (current, cause) =>
      coordinatorTakeConflict(workerId, observedCounter, current, cause),
    );
    this.logger.debug('Coordinator lease taken', { workerId, observedCounter });
    return toCoordinatorLease(item);
  }

  async renewCoordinatorLease(workerId: string, leaseToken: string): Promise<CoordinatorLease> {
    requireId(workerId, 'workerId');
    requireId(leaseToken, 'leaseToken');
    const input = renewCoordinatorWrite(this.tableName, workerId, leaseToken);
    const item = await this.ready().table.conditionalWrite('renewCoordinatorLease', COORDINATOR_LEASE_ID, input, (current, cause) =>
      coordinatorTenureConflict('renewed', workerId, leaseToken, current, cause),
    );
    return toCoordinatorLease(item);
  }

  async releaseCoordinatorLease(workerId: string, leaseToken: string): Promise<void> {
    requireId(workerId, 'workerId');
    requireId(leaseToken, 'leaseToken');
    const input = releaseCoordinatorWrite(this.tableName, workerId, leaseToken);
    await this.ready().table.conditionalWrite('releaseCoordinatorLease', COORDINATOR_LEASE_ID, input, (current, cause) =>
      coordinatorTenureConflict('released', workerId, leaseToken, current, cause),
    );
  }

  /**
   * A Query on the owner index `AssignedTo-index` (eventually consistent: a hint). While the index is missing or not
   * yet ACTIVE, a Scan of the whole table, with one warning; see the README. For the store's own worker id the list
   * last read is answered again while no lease was assigned or handed to the worker since (its assignment epoch, from
   * its heartbeat or one eventually consistent GetItem of its registry item) and it is younger than
   * `ownedLeasesRefreshMillis`; see owned-lease-cache.ts.
   */
  async listOwnedLeases(workerId: string): Promise<OwnedLease[]> {
    requireId(workerId, 'workerId');
    const connection = this.ready();
    return workerId === this.config.workerId ? connection.ownLeases.list() : connection.ownerIndex.listOwned(workerId);
  }

  async transferLease(shardId: string, leaseToken: string, fromWorker: string, toWorker: string): Promise<ShardStatus> {
    requireId(shardId, 'shardId');
    requireId(leaseToken, 'leaseToken');
    requireId(fromWorker, 'fromWorker');
    requireId(toWorker, 'toWorker');
    if (toWorker === fromWorker) {
      throw new InvalidArgumentError(`transferLease(${shardId}) needs two different workers, got ${JSON.stringify(fromWorker)} twice`);
    }
    const leaseTimeout = new Date(Date.now() + this.config.failoverTimeMillis);
    const input = transferWrite(this.tableName, shardId, fromWorker, leaseToken, toWorker, randomUUID(), leaseTimeout);
    const item = await this.watchLoss(
      shardId,
      fromWorker,
      this.ready().table.conditionalWrite(`transferLease ${shardId}`, shardId, input, (current, cause) =>
        transferConflict(shardId, fromWorker, leaseToken, toWorker, current, cause),
      ),
    );
    const moved = itemToShardStatus(item);
    this.noteOwner(shardId, toWorker, moved.leaseCounter);
    if (toWorker !== this.config.workerId) await this.ready().signals.signal(toWorker);
    this.logger.debug('Lease transferred', { shardId, fromWorker, toWorker });
    return moved;
  }

  /** Destroys the client this checkpointer created (an injected one is left alone). Idempotent; init() may follow. */
  async close(): Promise<void> {
    const pending = this.initializing;
    if (pending !== undefined) await pending.catch(() => undefined);
    const connection = this.connection;
    this.connection = undefined;
    if (connection?.owned) connection.client.destroy();
  }

  private ready(): Connection {
    if (this.connection === undefined) {
      throw new WorkerStateError('DynamoCheckpoint is not initialised: call init() first (or it was closed)');
    }
    return this.connection;
  }

  /** Keeps the own-leases list true to what this store just saw: `shardId` is owned by `owner` (undefined: nobody). */
  private noteOwner(shardId: string, owner: string | undefined, counter: number): void {
    const own = this.ready().ownLeases;
    if (owner === this.config.workerId) own.held(shardId, counter);
    else own.lost(shardId);
  }

  /** Runs `write`; when it fails with LeaseLostError and `owner` is this worker, the lease leaves the own-leases list. */
  private async watchLoss<T>(shardId: string, owner: string, write: Promise<T>): Promise<T> {
    try {
      return await write;
    } catch (error) {
      if (error instanceof LeaseLostError && owner === this.config.workerId) this.ready().ownLeases.lost(shardId);
      throw error;
    }
  }

  /** Every row of the table that is a shard lease (coordination items left out), all pages, consistent reads. */
  private async *shardItems(operation: string): AsyncGenerator<LeaseItem> {
    for await (const item of this.ready().table.scan(operation, { ConsistentRead: true })) {
      const id = item[LeaseAttributes.shardId];
      if (id === undefined || !('S' in id) || id.S === undefined || !isCoordinationKey(id.S)) yield item;
    }
  }
}

function toCoordinatorLease(item: LeaseItem): CoordinatorLease {
  const { assignedTo, leaseCounter, leaseToken } = itemToShardStatus(item);
  return { assignedTo, leaseCounter, leaseToken };
}

function requireId(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidArgumentError(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
}

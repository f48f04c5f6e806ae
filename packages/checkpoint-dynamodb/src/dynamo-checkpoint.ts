import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, GetItemCommand, paginateScan, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DeleteItemCommandInput, DynamoDBClient, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import {
  assertStorableCheckpoint,
  InvalidArgumentError,
  LeaseLostError,
  LeaseNotAcquiredError,
  NoLeaseOwnerError,
  SequenceNotFoundError,
  LeaseStoreError,
  SHARD_END,
  WorkerStateError,
} from '@kcl/core';
import type {
  Checkpointer,
  CoordinatorLease,
  KclError,
  KinesisClientLibConfig,
  Logger,
  OwnedLease,
  ShardStatus,
  WorkerHeartbeat,
} from '@kcl/core';
import { createDynamoClient, describeClientEndpoint, describeConfiguredEndpoint } from './client-factory';
import type { DynamoConfigFields } from './client-factory';
import { checkpointConflict, claimConflict, releaseConflict, removeConflict, takeConflict, tenureConflict } from './conflicts';
import { errorName, toKclError } from './dynamo-errors';
import { applyItem, itemToShardStatus, LeaseAttributes } from './lease-item';
import type { LeaseItem } from './lease-item';
import { ensureLeaseTable } from './lease-table';
import { checkpointWrite, claimWrite, releaseWrite, removeWrite, renewWrite, takeWrite } from './lease-writes';
import { resolveOptions } from './options';
import type { DynamoCheckpointOptions, ResolvedOptions } from './options';

interface Connection {
  client: DynamoDBClient;
  /** True when this checkpointer created the client (and so destroys it in close()). */
  owned: boolean;
  /** The address shown in messages. */
  endpoint: string;
}

const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/**
 * The DynamoDB lease store: go-kcl's `DynamoCheckpoint` with @kcl's lease safety rules. One row per shard in the
 * table `config.tableName` (created at {@link init} when missing). Every lease transition is one conditional
 * UpdateItem; see the package README for the table layout and go-kcl compatibility.
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
  private injected: DynamoDBClient | undefined;
  private connection: Connection | undefined;
  private initializing: Promise<Connection> | undefined;

  /**
   * @param config the worker configuration; reads tableName, workerId, regionName, dynamoDBEndpoint,
   *   dynamoDBCredentials, failoverTimeMillis and logger.
   * @param options table creation, retry and timeout settings (see {@link DynamoCheckpointOptions}).
   * @throws ConfigError when an option is out of range.
   */
  constructor(config: KinesisClientLibConfig, options: DynamoCheckpointOptions = {}) {
    this.config = config;
    this.options = resolveOptions(options);
    this.logger = (config.logger ?? silentLogger).child({ component: 'DynamoCheckpoint', tableName: config.tableName });
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
   * Creates the client (unless injected), creates the lease table if missing and waits until it is ACTIVE.
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
      const outcome = await ensureLeaseTable(client, this.config.tableName, this.options, this.logger, endpoint);
      this.logger.debug('Lease table ready', { endpoint, outcome });
      return { client, owned, endpoint };
    } catch (error) {
      if (owned) client.destroy();
      throw toKclError(error, { operation: 'init', endpoint, tableName: this.config.tableName });
    }
  }

  async getLease(shard: ShardStatus, newAssignTo: string): Promise<void> {
    requireId(shard.id, 'shard.id');
    requireId(newAssignTo, 'newAssignTo');
    const leaseTimeout = new Date(Date.now() + this.config.failoverTimeMillis);
    if (shard.assignedTo === newAssignTo && shard.leaseToken !== undefined) {
      const input = renewWrite(this.tableName, shard.id, newAssignTo, shard.leaseToken, leaseTimeout);
      const item = await this.conditionalUpdate(`renew ${shard.id}`, shard.id, input, (current, cause) =>
        tenureConflict('renewed', shard.id, newAssignTo, current, cause),
      );
      applyItem(shard, item);
      return;
    }
    if (!Number.isInteger(shard.leaseCounter) || shard.leaseCounter < 0) {
      throw new InvalidArgumentError(`shard.leaseCounter must be a non-negative integer, got ${String(shard.leaseCounter)}`);
    }
    const input = takeWrite(this.tableName, shard, newAssignTo, randomUUID(), leaseTimeout);
    const item = await this.conditionalUpdate(`take ${shard.id}`, shard.id, input, (current, cause) =>
      takeConflict(shard.id, shard.leaseCounter, current, cause),
    );
    applyItem(shard, item);
    this.logger.debug('Lease taken', { shardId: shard.id, workerId: newAssignTo, leaseCounter: shard.leaseCounter });
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
    await this.conditionalUpdate(`checkpoint ${shard.id}`, shard.id, input, (current, cause) =>
      checkpointConflict(shard.id, owner, token, { checkpoint, subSequenceNumber: sub }, current, cause),
    );
  }

  async fetchCheckpoint(shard: ShardStatus): Promise<void> {
    requireId(shard.id, 'shard.id');
    const item = await this.getItem(shard.id, `fetchCheckpoint ${shard.id}`);
    if (item === undefined) throw new SequenceNotFoundError(shard.id, `No lease is stored for shard ${shard.id}`);
    applyItem(shard, item);
    if (shard.checkpoint === undefined) throw new SequenceNotFoundError(shard.id);
  }

  async removeLeaseInfo(shardId: string): Promise<void> {
    requireId(shardId, 'shardId');
    await this.conditionalWrite(`removeLeaseInfo ${shardId}`, shardId, removeWrite(this.tableName, shardId), (current, cause) =>
      removeConflict(shardId, current, cause),
    );
  }

  async removeLeaseOwner(shardId: string, leaseToken: string): Promise<void> {
    requireId(shardId, 'shardId');
    requireId(leaseToken, 'leaseToken');
    const owner = this.config.workerId;
    const input = releaseWrite(this.tableName, shardId, owner, leaseToken);
    await this.conditionalUpdate(`removeLeaseOwner ${shardId}`, shardId, input, (current, cause) =>
      releaseConflict(shardId, owner, leaseToken, current, cause),
    );
  }

  async getLeaseOwner(shardId: string): Promise<string> {
    requireId(shardId, 'shardId');
    const item = await this.getItem(shardId, `getLeaseOwner ${shardId}`);
    const owner = item === undefined ? undefined : itemToShardStatus(item).assignedTo;
    if (owner === undefined) throw new NoLeaseOwnerError(shardId);
    return owner;
  }

  async listActiveWorkers(shardStatus: Map<string, ShardStatus>): Promise<Map<string, ShardStatus[]>> {
    const workers = new Map<string, ShardStatus[]>();
    for await (const item of this.scanItems('listActiveWorkers')) {
      let shard = itemToShardStatus(item);
      const local = shardStatus.get(shard.id);
      if (local !== undefined) {
        applyItem(local, item);
        shard = local;
      }
      if (shard.assignedTo === undefined || shard.checkpoint === SHARD_END) continue;
      const list = workers.get(shard.assignedTo);
      if (list) list.push(shard);
      else workers.set(shard.assignedTo, [shard]);
    }
    return workers;
  }

  async claimShard(shard: ShardStatus, claimId: string): Promise<void> {
    requireId(shard.id, 'shard.id');
    requireId(claimId, 'claimId');
    const observedOwner = shard.assignedTo;
    if (observedOwner === undefined) {
      throw new LeaseNotAcquiredError(shard.id, `Shard ${shard.id} cannot be claimed: it has no owner (take the lease instead)`);
    }
    const input = claimWrite(this.tableName, shard.id, observedOwner, claimId);
    const item = await this.conditionalUpdate(`claimShard ${shard.id}`, shard.id, input, (current, cause) =>
      claimConflict(shard.id, observedOwner, current, cause),
    );
    applyItem(shard, item);
  }

  async listLeases(): Promise<ShardStatus[]> {
    const leases: ShardStatus[] = [];
    for await (const item of this.scanItems('listLeases')) leases.push(itemToShardStatus(item));
    return leases;
  }

  /** Destroys the client this checkpointer created (an injected one is left alone). Idempotent; init() may follow. */
  // ---- Fleet coordination: not implemented by this backend yet (placeholders so the package builds; replaced next).
  heartbeat(_workerId: string): Promise<void> {
    return this.notYet('heartbeat');
  }
  removeWorker(_workerId: string): Promise<void> {
    return this.notYet('removeWorker');
  }
  listWorkers(): Promise<WorkerHeartbeat[]> {
    return this.notYet('listWorkers');
  }
  getCoordinatorLease(): Promise<CoordinatorLease | undefined> {
    return this.notYet('getCoordinatorLease');
  }
  takeCoordinatorLease(_workerId: string, _observedCounter: number): Promise<CoordinatorLease> {
    return this.notYet('takeCoordinatorLease');
  }
  renewCoordinatorLease(_workerId: string, _leaseToken: string): Promise<CoordinatorLease> {
    return this.notYet('renewCoordinatorLease');
  }
  releaseCoordinatorLease(_workerId: string, _leaseToken: string): Promise<void> {
    return this.notYet('releaseCoordinatorLease');
  }
  listOwnedLeases(_workerId: string): Promise<OwnedLease[]> {
    return this.notYet('listOwnedLeases');
  }
  transferLease(_shardId: string, _leaseToken: string, _fromWorker: string, _toWorker: string): Promise<ShardStatus> {
    return this.notYet('transferLease');
  }
  private notYet(method: string): Promise<never> {
    return Promise.reject(new LeaseStoreError(`${method} is not implemented by this lease store version yet`));
  }

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

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const { endpoint } = this.ready();
    try {
      return await fn();
    } catch (error) {
      throw toKclError(error, { operation, endpoint, tableName: this.tableName });
    }
  }

  private async getItem(shardId: string, operation: string): Promise<LeaseItem | undefined> {
    const { client } = this.ready();
    const out = await this.call(operation, () =>
      client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { [LeaseAttributes.shardId]: { S: shardId } }, ConsistentRead: true }),
      ),
    );
    return out.Item;
  }

  /**
   * Runs one conditional UpdateItem. On a failed condition, `conflict` gets the stored row (from the error's ALL_OLD
   * item, or read afterwards where the server does not return it) and returns the error to throw, or undefined for
   * "nothing to do" (then this returns an empty item).
   */
  private conditionalUpdate(
    operation: string,
    shardId: string,
    input: UpdateItemCommandInput,
    conflict: (current: ShardStatus | undefined, cause: unknown) => KclError | undefined,
  ): Promise<LeaseItem> {
    return this.conditionalWrite(operation, shardId, input, conflict);
  }

  /** {@link conditionalUpdate} for an UpdateItem or (input without UpdateExpression) a DeleteItem. */
  private async conditionalWrite(
    operation: string,
    shardId: string,
    input: UpdateItemCommandInput | DeleteItemCommandInput,
    conflict: (current: ShardStatus | undefined, cause: unknown) => KclError | undefined,
  ): Promise<LeaseItem> {
    const { client } = this.ready();
    let failure: unknown;
    try {
      if ('UpdateExpression' in input && input.UpdateExpression !== undefined) {
        const out = await client.send(new UpdateItemCommand(input));
        return out.Attributes ?? {};
      }
      await client.send(new DeleteItemCommand(input));
      return {};
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') {
        throw toKclError(error, { operation, endpoint: this.ready().endpoint, tableName: this.tableName });
      }
      failure = error;
    }
    const old = (failure as { Item?: LeaseItem }).Item;
    const current = old !== undefined && Object.keys(old).length > 0 ? old : await this.getItem(shardId, `${operation} (reading the conflict)`);
    const mapped = conflict(current === undefined ? undefined : itemToShardStatus(current), failure);
    if (mapped !== undefined) throw mapped;
    return {};
  }

  private async *scanItems(operation: string): AsyncGenerator<LeaseItem> {
    const { client } = this.ready();
    const pages = paginateScan(
      { client, ...(this.options.scanPageSize === undefined ? {} : { pageSize: this.options.scanPageSize }) },
      { TableName: this.tableName, ConsistentRead: true },
    );
    const iterator = pages[Symbol.asyncIterator]();
    for (;;) {
      const page = await this.call(operation, () => iterator.next());
      if (page.done) return;
      yield* page.value.Items ?? [];
    }
  }
}

function requireId(value: unknown, name: string): void {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidArgumentError(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
}

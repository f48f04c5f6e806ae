/**
 * The owner index: the global secondary index `AssignedTo-index` (hash key `AssignedTo` (S), projection INCLUDE
 * `LeaseCounter`) that lets `listOwnedLeases(workerId)` Query the leases of one worker instead of reading the whole
 * table. It is sparse: released leases and registry items have no `AssignedTo` and are not in it.
 *
 * Tables created by `init()` get it with CreateTable. An existing table without it (created by go-kcl or an older
 * @kcl) gets it with UpdateTable at `init()` when `createOwnerIndex` is set. Until DescribeTable shows it ACTIVE -
 * looked at again at most every `ownerIndexCheckIntervalMillis`, and only when `listOwnedLeases` is called - the
 * store answers from a Scan and logs one warning that says why and how to fix it.
 */
import { performance } from 'node:perf_hooks';
import { DescribeTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import type { GlobalSecondaryIndex, TableDescription } from '@aws-sdk/client-dynamodb';
import type { Logger, OwnedLease } from '@kcl/core';
import { isCoordinationKey } from './coordination-writes';
import { errorName } from './dynamo-errors';
import { ExpressionBuilder } from './expression-builder';
import { itemToShardStatus, LeaseAttributes as A } from './lease-item';
import type { LeaseItem } from './lease-item';
import type { TableAccess } from './table-access';

/** Name of the owner index. */
export const OWNER_INDEX_NAME = 'AssignedTo-index';

/** The index definition for CreateTable / UpdateTable; `throughput` only for a provisioned table. */
export function ownerIndexDefinition(throughput?: { read: number; write: number }): GlobalSecondaryIndex {
  return {
    IndexName: OWNER_INDEX_NAME,
    KeySchema: [{ AttributeName: A.assignedTo, KeyType: 'HASH' }],
    Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [A.leaseCounter] },
    ...(throughput === undefined ? {} : { ProvisionedThroughput: { ReadCapacityUnits: throughput.read, WriteCapacityUnits: throughput.write } }),
  };
}

/** What the store knows about the index. */
type IndexState =
  | { kind: 'active' }
  | { kind: 'creating' }
  | { kind: 'missing'; failure?: string }
  | { kind: 'denied'; failure: string }
  | { kind: 'incompatible'; found: string };

/** Reads the state of the owner index from a table description. */
export function inspectOwnerIndex(table: TableDescription): IndexState {
  const index = table.GlobalSecondaryIndexes?.find((i) => i.IndexName === OWNER_INDEX_NAME);
  if (index === undefined || index.IndexStatus === 'DELETING') return { kind: 'missing' };
  const keys = index.KeySchema ?? [];
  const projection = index.Projection;
  const projected =
    projection?.ProjectionType === 'ALL' ||
    (projection?.ProjectionType === 'INCLUDE' && (projection.NonKeyAttributes ?? []).includes(A.leaseCounter));
  if (keys.length !== 1 || keys[0]?.AttributeName !== A.assignedTo || keys[0].KeyType !== 'HASH' || !projected) {
    const found = `key ${keys.map((k) => `${k.AttributeName} (${k.KeyType})`).join(', ') || 'none'}, projection ${projection?.ProjectionType ?? 'none'}`;
    return { kind: 'incompatible', found };
  }
  // UPDATING (e.g. a throughput change) still serves queries.
  return index.IndexStatus === 'CREATING' ? { kind: 'creating' } : { kind: 'active' };
}

export interface OwnerIndexOptions {
  createOwnerIndex: boolean;
  checkIntervalMillis: number;
}

/** Answers `listOwnedLeases` from the owner index, or from a Scan while the index is not usable. */
export class OwnerIndex {
  private state: IndexState = { kind: 'missing' };
  private nextCheck = 0;
  private warned = false;
  private creationLogged = false;

  constructor(
    private readonly access: TableAccess,
    private readonly options: OwnerIndexOptions,
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes the index state from the table `init()` found; adds the index when missing and allowed. Never throws. */
  async start(table: TableDescription): Promise<void> {
    this.state = inspectOwnerIndex(table);
    if (this.state.kind === 'missing' && this.options.createOwnerIndex) await this.create(table);
    this.nextCheck = this.now() + this.options.checkIntervalMillis;
  }

  /** The leases of `workerId` (ids and counters; coordination items left out). */
  async listOwned(workerId: string): Promise<OwnedLease[]> {
    if (this.state.kind !== 'active' && this.now() >= this.nextCheck) await this.recheck();
    const b = new ExpressionBuilder();
    const match = `${b.name(A.assignedTo)} = ${b.string(workerId)}`;
    const read = { ProjectionExpression: `${b.name(A.shardId)}, ${b.name(A.leaseCounter)}`, ...b.attributes() };
    if (this.state.kind === 'active') {
      try {
        return await collect(
          this.access.query(`listOwnedLeases ${workerId}`, { IndexName: OWNER_INDEX_NAME, KeyConditionExpression: match, ...read }),
        );
      } catch (error) {
        const name = errorName((error as { cause?: unknown }).cause);
        if (name !== 'ValidationException' && name !== 'ResourceNotFoundException') throw error;
        // The index went away (deleted by someone): scan now, look at the table on the next call.
        this.logger.debug('Owner index query failed; scanning instead', { index: OWNER_INDEX_NAME, error: name });
        this.state = { kind: 'missing', failure: `querying it failed: ${name}` };
        this.nextCheck = 0;
      }
    }
    this.warnOnce();
    // Eventually consistent (half the read cost): the answer is a hint either way.
    return collect(this.access.scan(`listOwnedLeases ${workerId} (scan)`, { FilterExpression: match, ...read, ConsistentRead: false }));
  }

  private async recheck(): Promise<void> {
    this.nextCheck = this.now() + this.options.checkIntervalMillis;
    const table = await this.describe();
    if (table === undefined) return;
    const before = this.state;
    const seen = inspectOwnerIndex(table);
    // A denied UpdateTable stays denied (no retries), but an index someone else creates is still picked up.
    this.state = seen.kind === 'missing' && before.kind === 'denied' ? before : seen;
    if (this.state.kind === 'missing' && this.options.createOwnerIndex) await this.create(table);
    if (this.state.kind === 'active') {
      this.logger.info('Owner index is ACTIVE: listOwnedLeases queries it instead of scanning the table', {
        tableName: this.access.tableName,
        index: OWNER_INDEX_NAME,
      });
    }
  }

  private async describe(): Promise<TableDescription | undefined> {
    try {
      return (await this.access.client.send(new DescribeTableCommand({ TableName: this.access.tableName }))).Table;
    } catch (error) {
      this.logger.debug('DescribeTable for the owner index failed', { error: errorName(error) });
      return undefined;
    }
  }

  private async create(table: TableDescription): Promise<void> {
    const onDemand = table.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST';
    // A provisioned table (go-kcl creates those) needs the index's own throughput: the table's, at least 1.
    const throughput = onDemand
      ? undefined
      : {
          read: Math.max(1, table.ProvisionedThroughput?.ReadCapacityUnits ?? 1),
          write: Math.max(1, table.ProvisionedThroughput?.WriteCapacityUnits ?? 1),
        };
    try {
      await this.access.client.send(
        new UpdateTableCommand({
          TableName: this.access.tableName,
          AttributeDefinitions: [{ AttributeName: A.assignedTo, AttributeType: 'S' }],
          GlobalSecondaryIndexUpdates: [{ Create: ownerIndexDefinition(throughput) }],
        }),
      );
      this.state = { kind: 'creating' };
      // Logged once at info; a repeat (the index vanished again, or an emulator that ignores the request) at debug.
      this.logger[this.creationLogged ? 'debug' : 'info'](
        'Adding the owner index to the lease table (UpdateTable); listOwnedLeases scans until it is ACTIVE',
        {
          tableName: this.access.tableName,
          index: OWNER_INDEX_NAME,
        },
      );
      this.creationLogged = true;
    } catch (error) {
      const failure = `${errorName(error)}: ${error instanceof Error ? error.message : String(error)}`;
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (errorName(error) === 'AccessDeniedException' || status === 403) {
        this.state = { kind: 'denied', failure };
        return;
      }
      // Another worker may have started it a moment ago (ResourceInUse, index exists): look once more.
      const again = await this.describe();
      const seen = again === undefined ? undefined : inspectOwnerIndex(again);
      this.state = seen !== undefined && seen.kind !== 'missing' ? seen : { kind: 'missing', failure };
      this.logger.debug('UpdateTable for the owner index failed', { failure, now: this.state.kind });
    }
  }

  private warnOnce(): void {
    if (this.warned) return;
    this.warned = true;
    const table = `lease table "${this.access.tableName}"`;
    const every = `looked at again at most every ${this.options.checkIntervalMillis} ms`;
    const cost = 'every call reads the whole table (a Scan: about one read unit per 8 KB of table), a cost that grows with shards x workers';
    const fix = `create the index ${OWNER_INDEX_NAME} (hash key ${A.assignedTo} (S), projection INCLUDE ${A.leaseCounter})`;
    const s = this.state;
    let why: string;
    if (s.kind === 'creating') why = `the owner index ${OWNER_INDEX_NAME} of the ${table} is being created (${every})`;
    else if (s.kind === 'denied') {
      why =
        `adding the owner index ${OWNER_INDEX_NAME} to the ${table} was denied (${s.failure}). Grant dynamodb:UpdateTable on the table ` +
        `(and dynamodb:Query on its index) or ${fix} yourself (${every})`;
    } else if (s.kind === 'incompatible') {
      why = `the ${table} has an index named ${OWNER_INDEX_NAME} that is not the owner index (${s.found}). Delete it, then ${fix} or let init() add it`;
    } else if (!this.options.createOwnerIndex) {
      why = `the ${table} has no owner index ${OWNER_INDEX_NAME} and createOwnerIndex is false. Either ${fix}, or set createOwnerIndex: true (needs dynamodb:UpdateTable)`;
    } else {
      why = `the ${table} has no owner index ${OWNER_INDEX_NAME}${s.kind === 'missing' && s.failure ? ` (UpdateTable failed: ${s.failure})` : ''}; adding it is retried (${every})`;
    }
    this.logger.warn(`listOwnedLeases scans the table: ${why}. Until the index is ACTIVE ${cost}.`, {
      tableName: this.access.tableName,
      index: OWNER_INDEX_NAME,
      state: s.kind,
    });
  }
}

async function collect(items: AsyncIterable<LeaseItem>): Promise<OwnedLease[]> {
  const owned: OwnedLease[] = [];
  for await (const item of items) {
    const lease = itemToShardStatus(item);
    if (!isCoordinationKey(lease.id)) owned.push({ shardId: lease.id, leaseCounter: lease.leaseCounter });
  }
  return owned;
}

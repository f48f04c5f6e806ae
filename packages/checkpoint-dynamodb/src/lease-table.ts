/** Finds or creates the lease table and waits until it is ACTIVE. */
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput, DynamoDBClient, TableDescription } from '@aws-sdk/client-dynamodb';
import { ConfigError, LeaseStoreError } from '@kcl/core';
import type { Logger } from '@kcl/core';
import { errorName } from './dynamo-errors';
import { LeaseAttributes } from './lease-item';
import type { ResolvedOptions } from './options';
import { OWNER_INDEX_NAME, ownerIndexDefinition } from './owner-index';

/** What {@link ensureLeaseTable} did. */
export type TableOutcome = 'existing' | 'created';

/** The result of {@link ensureLeaseTable}: what it did and the table as last described. */
export interface LeaseTable {
  outcome: TableOutcome;
  table: TableDescription;
}

const POLL_START_MILLIS = 25;
const POLL_MAX_MILLIS = 1_000;

/**
 * Makes sure table `tableName` exists with `ShardID` (S) as its hash key and is usable (ACTIVE, or UPDATING: DynamoDB
 * serves reads and writes while a table is updated, e.g. while an index is added). Creates it, with the owner index,
 * when missing and `options.createTable` is set; a concurrent creation by another worker is fine. Errors from the SDK propagate raw
 * (the caller maps them); problems with the table itself are {@link LeaseStoreError} / {@link ConfigError}.
 */
export async function ensureLeaseTable(
  client: DynamoDBClient,
  tableName: string,
  options: ResolvedOptions,
  logger: Logger,
  where: string,
): Promise<LeaseTable> {
  let table = await describe(client, tableName);
  let outcome: TableOutcome = 'existing';
  if (table === undefined) {
    if (!options.createTable) {
      throw new LeaseStoreError(`Lease table "${tableName}" does not exist at ${where} and createTable is false`);
    }
    outcome = await create(client, tableName, options, logger, where);
    table = await describe(client, tableName);
  }
  if (table !== undefined) checkKeySchema(table, tableName);
  return { outcome, table: await waitUntilActive(client, tableName, table, options.tableActiveTimeoutMillis, where) };
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function create(client: DynamoDBClient, tableName: string, options: ResolvedOptions, logger: Logger, where: string): Promise<TableOutcome> {
  const provisioned = options.billingMode === 'PROVISIONED';
  const input: CreateTableCommandInput = {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: LeaseAttributes.shardId, AttributeType: 'S' },
      { AttributeName: LeaseAttributes.assignedTo, AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: LeaseAttributes.shardId, KeyType: 'HASH' }],
    BillingMode: options.billingMode,
    // The owner index gets the table's capacity on a provisioned table (it takes a write per owner change).
    GlobalSecondaryIndexes: [ownerIndexDefinition(provisioned ? { read: options.readCapacityUnits, write: options.writeCapacityUnits } : undefined)],
    ...(provisioned
      ? { ProvisionedThroughput: { ReadCapacityUnits: options.readCapacityUnits, WriteCapacityUnits: options.writeCapacityUnits } }
      : {}),
  };
  try {
    await client.send(new CreateTableCommand(input));
    logger.info('Created lease table', { tableName, billingMode: options.billingMode, ownerIndex: OWNER_INDEX_NAME, endpoint: where });
    return 'created';
  } catch (error) {
    // Another worker created it between our DescribeTable and CreateTable.
    if (errorName(error) === 'ResourceInUseException') return 'existing';
    throw error;
  }
}

function checkKeySchema(table: TableDescription, tableName: string): void {
  const keys = table.KeySchema ?? [];
  const hash = keys.find((k) => k.KeyType === 'HASH');
  const hashType = table.AttributeDefinitions?.find((d) => d.AttributeName === hash?.AttributeName)?.AttributeType;
  if (keys.length !== 1 || hash?.AttributeName !== LeaseAttributes.shardId || hashType !== 'S') {
    const found = keys.map((k) => `${k.AttributeName} (${k.KeyType})`).join(', ') || 'none';
    throw new ConfigError(
      'tableName',
      tableName,
      `a lease table whose only key is the hash key ${LeaseAttributes.shardId} of type S`,
      `The existing table has key ${found}; choose another table name.`,
    );
  }
}

async function waitUntilActive(
  client: DynamoDBClient,
  tableName: string,
  initial: TableDescription | undefined,
  timeoutMillis: number,
  where: string,
): Promise<TableDescription> {
  const deadline = Date.now() + timeoutMillis;
  let table = initial;
  let delay = POLL_START_MILLIS;
  for (;;) {
    const status = table?.TableStatus;
    if (table !== undefined && (status === 'ACTIVE' || status === 'UPDATING')) return table;
    if (status !== undefined && status !== 'CREATING') {
      throw new LeaseStoreError(`Lease table "${tableName}" at ${where} is ${status}; it cannot be used`);
    }
    if (Date.now() + delay > deadline) {
      throw new LeaseStoreError(
        `Lease table "${tableName}" at ${where} did not become ACTIVE within ${timeoutMillis} ms (status: ${status ?? 'not found'})`,
        { retryable: true },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, POLL_MAX_MILLIS);
    table = await describe(client, tableName);
  }
}

import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateTableCommand, waitUntilTableExists, type DynamoDBClient, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { createStream, LOCAL_WAITER_DELAYS } from '@kcl/local';
import { randomName } from './names';

// The clients for local endpoints are @kcl/local's, under their test-bed names.
export { createKinesisClient as localKinesisClient, createDynamoDBClient as localDynamoClient, LOCAL_REGION, LOCAL_CREDENTIALS } from '@kcl/local';

export interface CreateTestStreamOptions {
  /**
   * Number of shards.
   * @defaultValue 1
   */
  shardCount?: number;
  /**
   * Stream name.
   * @defaultValue randomName('stream')
   */
  name?: string;
  /**
   * How long to wait for the stream to become ACTIVE, in ms.
   * @defaultValue 30000
   */
  timeoutMs?: number;
}

/** Creates a stream (@kcl/local's createStream, so errors are its LocalError) and waits until ACTIVE; returns its name. */
export async function createTestStream(client: KinesisClient, options: CreateTestStreamOptions = {}): Promise<string> {
  const name = options.name ?? randomName('stream');
  await createStream(client, name, { shards: options.shardCount ?? 1, timeoutMs: options.timeoutMs ?? 30_000 });
  return name;
}

export interface CreateTestTableOptions {
  /**
   * Table name.
   * @defaultValue randomName('table')
   */
  name?: string;
  /**
   * Partition key attribute (type S).
   * @defaultValue 'id'
   */
  partitionKey?: string;
  /**
   * Optional sort key attribute (type S).
   * @defaultValue none
   */
  sortKey?: string;
  /**
   * Provisioned capacity instead of on-demand billing.
   * @defaultValue on-demand (PAY_PER_REQUEST)
   */
  provisioned?: { readCapacityUnits: number; writeCapacityUnits: number };
  /**
   * How long to wait for the table to become ACTIVE, in ms.
   * @defaultValue 30000
   */
  timeoutMs?: number;
}

/** Creates a table with string keys (on-demand unless `provisioned`) and waits until ACTIVE; returns its name. */
export async function createTestTable(client: DynamoDBClient, options: CreateTestTableOptions = {}): Promise<string> {
  const name = options.name ?? randomName('table');
  const partitionKey = options.partitionKey ?? 'id';
  const keys: KeySchemaElement[] = [{ AttributeName: partitionKey, KeyType: 'HASH' }];
  if (options.sortKey !== undefined) keys.push({ AttributeName: options.sortKey, KeyType: 'RANGE' });
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: keys,
      AttributeDefinitions: keys.map((key) => ({ AttributeName: key.AttributeName, AttributeType: 'S' })),
      ...(options.provisioned === undefined
        ? { BillingMode: 'PAY_PER_REQUEST' }
        : {
            ProvisionedThroughput: {
              ReadCapacityUnits: options.provisioned.readCapacityUnits,
              WriteCapacityUnits: options.provisioned.writeCapacityUnits,
            },
          }),
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: (options.timeoutMs ?? 30_000) / 1000, ...LOCAL_WAITER_DELAYS }, { TableName: name });
  return name;
}

import { CreateStreamCommand, KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists, type DynamoDBClientConfig, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { randomName } from './names';
import { LOCAL_WAITER_DELAYS, waitForStreamActive } from './shards';

/** Region every local client signs for. */
export const LOCAL_REGION = 'us-east-1';
/** Dummy static credentials the stand-ins accept. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'kcl-local', secretAccessKey: 'kcl-local' } as const;

/**
 * Kinesis client for a local endpoint: HTTP/1.1 handler (the SDK's default HTTP/2 handler fails against the
 * emulators), dummy credentials, region us-east-1. `overrides` are merged last (e.g. `{ maxAttempts: 1 }`).
 */
export function localKinesisClient(endpoint: string, overrides: Partial<KinesisClientConfig> = {}): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
    ...overrides,
  });
}

/** DynamoDB client for a local endpoint (HTTP/1.1 handler, dummy credentials, region us-east-1). */
export function localDynamoClient(endpoint: string, overrides: Partial<DynamoDBClientConfig> = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
    ...overrides,
  });
}

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

/** Creates a stream and waits until ACTIVE; returns its name. */
export async function createTestStream(client: KinesisClient, options: CreateTestStreamOptions = {}): Promise<string> {
  const name = options.name ?? randomName('stream');
  const shardCount = options.shardCount ?? 1;
  if (!Number.isInteger(shardCount) || shardCount < 1) {
    throw new RangeError(`createTestStream: shardCount must be a positive integer, got ${String(shardCount)}`);
  }
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shardCount }));
  await waitForStreamActive(client, name, options.timeoutMs ?? 30_000);
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
   * How long to wait for the table to become ACTIVE, in ms.
   * @defaultValue 30000
   */
  timeoutMs?: number;
}

/** Creates an on-demand table with string keys and waits until ACTIVE; returns its name. */
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
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: (options.timeoutMs ?? 30_000) / 1000, ...LOCAL_WAITER_DELAYS }, { TableName: name });
  return name;
}

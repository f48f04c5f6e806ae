// Table creation at init(): on-demand and provisioned, idempotence, waiting for ACTIVE, incompatible tables.
import { takeOrRenewLease } from '@kcl/core';
import { DeleteTableCommand, DescribeTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { ConfigError, LeaseStoreError } from '@kcl/core';
import { createTestTable, localDynamoClient, randomName, startDynalite, useDynalite, type LocalServer } from '@kcl/testbed';
import { DynamoCheckpoint } from '../src';
import { closeAll, openCheckpointer, recordingLogger, testConfig } from './helpers';
import type { LogLine } from './helpers';

const dynalite = useDynalite();

afterEach(closeAll);

async function describe_(tableName: string) {
  const out = await dynalite.client().send(new DescribeTableCommand({ TableName: tableName }));
  if (!out.Table) throw new Error('no table');
  return out.Table;
}

test('init() creates an on-demand table keyed by ShardID (S) and logs it', async () => {
  const tableName = randomName('ondemand');
  const lines: LogLine[] = [];
  await openCheckpointer(dynalite.endpoint(), { tableName, logger: recordingLogger(lines) });
  const table = await describe_(tableName);
  expect(table.TableStatus).toBe('ACTIVE');
  expect(table.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
  expect(table.KeySchema).toEqual([{ AttributeName: 'ShardID', KeyType: 'HASH' }]);
  expect(table.AttributeDefinitions).toEqual([
    { AttributeName: 'ShardID', AttributeType: 'S' },
    { AttributeName: 'AssignedTo', AttributeType: 'S' },
  ]);
  expect(lines.filter((l) => l.message === 'Created lease table')).toHaveLength(1);
  expect(lines.find((l) => l.message === 'Created lease table')?.fields).toMatchObject({ tableName, billingMode: 'PAY_PER_REQUEST' });
});

test('init() creates a provisioned table with the given capacity', async () => {
  const tableName = randomName('prov');
  await openCheckpointer(dynalite.endpoint(), { tableName }, { billingMode: 'PROVISIONED', readCapacityUnits: 7, writeCapacityUnits: 3 });
  const table = await describe_(tableName);
  expect(table.BillingModeSummary?.BillingMode ?? 'PROVISIONED').toBe('PROVISIONED');
  expect(table.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 7, WriteCapacityUnits: 3 });
});

test('init() is idempotent: repeated, concurrent and by several workers on one table', async () => {
  const tableName = randomName('idem');
  const lines: LogLine[] = [];
  const a = new DynamoCheckpoint(testConfig(dynalite.endpoint(), { tableName, logger: recordingLogger(lines) }));
  const b = new DynamoCheckpoint(testConfig(dynalite.endpoint(), { tableName, workerId: 'worker-b', logger: recordingLogger(lines) }));
  try {
    await Promise.all([a.init(), a.init(), b.init()]);
    await a.init();
    await b.init();
    expect(lines.filter((l) => l.message === 'Created lease table').length).toBeLessThanOrEqual(1);
    expect((await describe_(tableName)).TableStatus).toBe('ACTIVE');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('an existing table is used as is (no CreateTable) and its rows survive', async () => {
  const tableName = randomName('existing');
  const first = await openCheckpointer(dynalite.endpoint(), { tableName });
  const shard = { id: 'shardId-000000000000', parentShardIds: [], leaseCounter: 0 };
  await takeOrRenewLease(first, shard, 'worker-a');
  const lines: LogLine[] = [];
  const second = await openCheckpointer(dynalite.endpoint(), { tableName, logger: recordingLogger(lines) }, { billingMode: 'PROVISIONED' });
  expect(lines.some((l) => l.message === 'Created lease table')).toBe(false);
  expect(await second.getLeaseOwner('shardId-000000000000')).toBe('worker-a');
});

test('createTable: false and no table -> LeaseStoreError naming table and endpoint', async () => {
  const tableName = randomName('missing');
  const checkpointer = new DynamoCheckpoint(testConfig(dynalite.endpoint(), { tableName }), { createTable: false });
  const error = await checkpointer.init().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LeaseStoreError);
  expect((error as Error).message).toContain(tableName);
  expect((error as Error).message).toContain(dynalite.endpoint());
  await expect(dynalite.client().send(new DescribeTableCommand({ TableName: tableName }))).rejects.toThrow();
});

test('a table with another key schema is rejected with a ConfigError naming tableName', async () => {
  const tableName = randomName('wrongkey');
  await createTestTable(dynalite.client(), { name: tableName, partitionKey: 'leaseKey' });
  const error = await new DynamoCheckpoint(testConfig(dynalite.endpoint(), { tableName })).init().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toMatchObject({ option: 'tableName', value: tableName });
  expect((error as Error).message).toContain('leaseKey (HASH)');
  await dynalite.client().send(new DeleteTableCommand({ TableName: tableName }));
});

describe('against a dynalite whose tables take time to become ACTIVE', () => {
  let slow: LocalServer | undefined;
  let slowEndpoint: string;

  beforeAll(async () => {
    slow = await startDynalite({ createTableMs: 400 });
    slowEndpoint = slow.endpoint;
  });
  afterAll(async () => {
    await slow?.stop();
  });

  test('init() resolves only once the new table is ACTIVE', async () => {
    const tableName = randomName('slow');
    const started = Date.now();
    const checkpointer = await openCheckpointer(slowEndpoint, { tableName, endpoint: slowEndpoint });
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    const probe = localDynamoClient(slowEndpoint);
    try {
      expect((await probe.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus).toBe('ACTIVE');
    } finally {
      probe.destroy();
    }
    // Usable at once.
    await takeOrRenewLease(checkpointer, { id: 's-1', parentShardIds: [], leaseCounter: 0 }, 'worker-a');
  });

  test('init() gives up after tableActiveTimeoutMillis with a retryable LeaseStoreError', async () => {
    const tableName = randomName('slowtimeout');
    const checkpointer = new DynamoCheckpoint(testConfig(slowEndpoint, { tableName, endpoint: slowEndpoint }), {
      tableActiveTimeoutMillis: 100,
    });
    const error = await checkpointer.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LeaseStoreError);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toMatch(/did not become ACTIVE within 100 ms \(status: CREATING\)/);
    // A later init() (table now ACTIVE) succeeds.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await checkpointer.init();
    await checkpointer.close();
  });
});

test('a table that is UPDATING (e.g. while an index is added) is used at once: DynamoDB serves data calls then', async () => {
  const updating = await startDynalite({ updateTableMs: 3_000 });
  const probe = localDynamoClient(updating.endpoint);
  const tableName = randomName('updating');
  try {
    await createTestTable(probe, { name: tableName, partitionKey: 'ShardID', provisioned: { readCapacityUnits: 1, writeCapacityUnits: 1 } });
    await probe.send(new UpdateTableCommand({ TableName: tableName, ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 } }));
    expect((await probe.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus).toBe('UPDATING');
    const started = Date.now();
    const checkpointer = await openCheckpointer(updating.endpoint, { tableName, endpoint: updating.endpoint }, { createOwnerIndex: false });
    expect(Date.now() - started).toBeLessThan(2_000);
    await takeOrRenewLease(checkpointer, { id: 's-1', parentShardIds: [], leaseCounter: 0 }, 'worker-a');
    expect((await probe.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus).toBe('UPDATING');
    await closeAll();
  } finally {
    probe.destroy();
    await updating.stop();
  }
});

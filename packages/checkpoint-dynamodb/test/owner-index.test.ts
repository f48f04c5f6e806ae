// The owner index (GSI AssignedTo-index): created with the table, queried by listOwnedLeases, added with UpdateTable
// to tables without it (go-kcl, older @kcl), and the Scan fallback with exactly one warning while it is not usable.
import { setTimeout as sleep } from 'node:timers/promises';
import { takeOrRenewLease } from '@kcl/core';
import { CreateTableCommand, DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput, DynamoDBClient, UpdateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { createShardStatus } from '@kcl/core';
import type { ShardStatus } from '@kcl/core';
import { localDynamoClient, randomName, useDynalite } from '@kcl/testbed';
import { DynamoCheckpoint, OWNER_INDEX_NAME } from '../src';
import type { DynamoCheckpointOptions } from '../src';
import { closeAll, countCommands, openCheckpointer, recordingLogger, serviceError, testConfig } from './helpers';
import type { LogLine } from './helpers';

const dynalite = useDynalite();
const clients: DynamoDBClient[] = [];
const opened: DynamoCheckpoint[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
  for (const c of clients.splice(0)) c.destroy();
  await closeAll();
});

interface Probe {
  checkpointer: DynamoCheckpoint;
  client: DynamoDBClient;
  counts: Map<string, number>;
  lines: LogLine[];
  /** Inputs of the UpdateTable calls sent. */
  updates: UpdateTableCommandInput[];
}

/** A checkpointer on an injected client that counts commands; `fault` may replace a command's outcome. */
async function probe(
  tableName: string,
  options: DynamoCheckpointOptions = {},
  fault?: (command: string, input: unknown, send: () => Promise<{ output: unknown }>) => Promise<{ output: unknown }>,
): Promise<Probe> {
  const client = localDynamoClient(dynalite.endpoint());
  clients.push(client);
  const updates: UpdateTableCommandInput[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName as string;
      if (command === 'UpdateTableCommand') updates.push(args.input as UpdateTableCommandInput);
      const send = () => next(args) as Promise<{ output: unknown }>;
      return (fault ? fault(command, args.input, send) : send()) as never;
    },
    { step: 'initialize', name: 'fault' },
  );
  const counts = countCommands(client);
  const lines: LogLine[] = [];
  const checkpointer = new DynamoCheckpoint(testConfig(dynalite.endpoint(), { tableName, logger: recordingLogger(lines) }), options).withDynamoDB(
    client,
  );
  opened.push(checkpointer);
  await checkpointer.init();
  return { checkpointer, client, counts, lines, updates };
}

/** A lease table as go-kcl (provisioned) or an older @kcl (on-demand) created it: hash key ShardID only. */
async function createTableWithoutIndex(
  tableName: string,
  extra: Partial<CreateTableCommandInput> = { BillingMode: 'PAY_PER_REQUEST' },
): Promise<void> {
  await dynalite.client().send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'ShardID', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'ShardID', KeyType: 'HASH' }],
      ...extra,
    }),
  );
}

async function describeTable(tableName: string) {
  const table = (await dynalite.client().send(new DescribeTableCommand({ TableName: tableName }))).Table;
  if (!table) throw new Error('no table');
  return table;
}

const warnings = (lines: LogLine[]) => lines.filter((l) => l.level === 'warn');
const byShard = (owned: Array<{ shardId: string; leaseCounter?: number | undefined }>) =>
  [...owned].sort((a, b) => a.shardId.localeCompare(b.shardId));

/** Takes `ids` for `owner` (through `cp`) and returns the taken leases. */
async function takeAll(cp: DynamoCheckpoint, owner: string, ids: string[]): Promise<ShardStatus[]> {
  return Promise.all(
    ids.map(async (id) => {
      const shard = createShardStatus(id);
      await takeOrRenewLease(cp, shard, owner);
      return shard;
    }),
  );
}

test('init() creates the table with the owner index: hash key AssignedTo (S), projection INCLUDE LeaseCounter, ACTIVE', async () => {
  const tableName = randomName('gsi');
  await openCheckpointer(dynalite.endpoint(), { tableName });
  const [index, ...others] = (await describeTable(tableName)).GlobalSecondaryIndexes ?? [];
  expect(others).toHaveLength(0);
  expect(index).toMatchObject({
    IndexName: 'AssignedTo-index',
    IndexStatus: 'ACTIVE',
    KeySchema: [{ AttributeName: 'AssignedTo', KeyType: 'HASH' }],
    Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['LeaseCounter'] },
  });
  expect(OWNER_INDEX_NAME).toBe('AssignedTo-index');
});

test('a provisioned table gets the index with the same capacity', async () => {
  const tableName = randomName('gsiprov');
  await openCheckpointer(dynalite.endpoint(), { tableName }, { billingMode: 'PROVISIONED', readCapacityUnits: 4, writeCapacityUnits: 2 });
  const index = (await describeTable(tableName)).GlobalSecondaryIndexes?.[0];
  expect(index?.IndexName).toBe('AssignedTo-index');
  expect(index?.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 4, WriteCapacityUnits: 2 });
});

test('listOwnedLeases is one Query on the index (no Scan), leaves out the coordinator item and warns nothing', async () => {
  const tableName = randomName('gsiquery');
  const { checkpointer, counts, lines, updates } = await probe(tableName);
  expect(updates).toHaveLength(0);
  const other = await openCheckpointer(dynalite.endpoint(), { tableName, workerId: 'worker-b' });
  await takeAll(checkpointer, 'worker-a', ['s-1', 's-2']);
  await takeAll(other, 'worker-b', ['s-3']);
  await checkpointer.takeCoordinatorLease('worker-a', 0);
  await checkpointer.heartbeat('worker-a');
  counts.clear();
  expect(byShard(await checkpointer.listOwnedLeases('worker-a'))).toEqual([
    { shardId: 's-1', leaseCounter: 1 },
    { shardId: 's-2', leaseCounter: 1 },
  ]);
  expect(await checkpointer.listOwnedLeases('nobody')).toEqual([]);
  expect(Object.fromEntries(counts)).toEqual({ QueryCommand: 2 });
  expect(warnings(lines)).toEqual([]);
});

test('listOwnedLeases reads every page of the index', async () => {
  const tableName = randomName('gsipages');
  // Fault: small pages (the store sets no Limit; 1 MB pages would hold every lease of this test).
  const { checkpointer, counts } = await probe(tableName, {}, (command, input, send) => {
    if (command === 'QueryCommand') (input as { Limit?: number }).Limit = 7;
    return send();
  });
  const ids = Array.from({ length: 30 }, (_, i) => `s-${String(i).padStart(2, '0')}`);
  await takeAll(checkpointer, 'worker-a', ids);
  counts.clear();
  const owned = await checkpointer.listOwnedLeases('worker-a');
  expect(owned.map((o) => o.shardId).sort()).toEqual(ids);
  expect(counts.get('QueryCommand')).toBeGreaterThanOrEqual(5);
});

test('an existing table without the index: UpdateTable at init(); while it is refused, a Scan, exactly one warning and retries', async () => {
  const tableName = randomName('noindex');
  await createTableWithoutIndex(tableName);
  const { checkpointer, counts, lines, updates } = await probe(tableName, { ownerIndexCheckIntervalMillis: 300 });
  expect(updates).toEqual([
    {
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'AssignedTo', AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [
        {
          Create: {
            IndexName: 'AssignedTo-index',
            KeySchema: [{ AttributeName: 'AssignedTo', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['LeaseCounter'] },
          },
        },
      ],
    },
  ]);
  // That is the request DynamoDB wants for an on-demand table (no index throughput). dynalite 4 refuses it (it wants
  // ProvisionedThroughput even then), which exercises the failure path: keep scanning, try again later.
  const [first] = await takeAll(checkpointer, 'worker-a', ['s-1', 's-2']);
  await takeOrRenewLease(checkpointer, first!, 'worker-a');
  await checkpointer.takeCoordinatorLease('worker-a', 0);
  counts.clear();
  for (let i = 0; i < 3; i += 1) {
    expect(byShard(await checkpointer.listOwnedLeases('worker-a'))).toEqual([
      { shardId: 's-1', leaseCounter: 2 },
      { shardId: 's-2', leaseCounter: 1 },
    ]);
  }
  expect(counts.get('ScanCommand')).toBe(3);
  expect(counts.get('QueryCommand')).toBeUndefined();
  expect(counts.get('DescribeTableCommand')).toBeUndefined(); // not looked at again within the interval
  const warned = warnings(lines);
  expect(warned).toHaveLength(1);
  expect(warned[0]!.message).toContain('AssignedTo-index');
  expect(warned[0]!.message).toContain('UpdateTable failed: ValidationException');
  expect(warned[0]!.message).toContain('retried');
  expect(warned[0]!.message).toContain('reads the whole table');

  // After the interval: DescribeTable; the index is still missing, so UpdateTable once more (refused again, then one
  // more DescribeTable in case another worker added it meanwhile) - and no new warning.
  await sleep(350);
  await checkpointer.listOwnedLeases('worker-a');
  await checkpointer.listOwnedLeases('worker-a');
  expect(counts.get('DescribeTableCommand')).toBe(2);
  expect(updates).toHaveLength(2);
  expect(warnings(lines)).toHaveLength(1);
});

test('a table created by go-kcl (provisioned, no index): UpdateTable with the table capacity; its rows are listed by owner', async () => {
  const tableName = randomName('gokclgsi');
  await createTableWithoutIndex(tableName, { ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 3 } });
  for (const [id, owner] of [
    ['shardId-000000000000', 'go-worker-1'],
    ['shardId-000000000001', 'go-worker-2'],
    ['shardId-000000000002', 'go-worker-1'],
  ] as const) {
    await dynalite.client().send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ShardID: { S: id }, AssignedTo: { S: owner }, LeaseTimeout: { S: '2024-05-01T10:00:00.123456789Z' }, Checkpoint: { S: '4959' } },
      }),
    );
  }
  const { checkpointer, lines, updates } = await probe(tableName);
  expect(updates).toHaveLength(1);
  expect(updates[0]!.GlobalSecondaryIndexUpdates?.[0]?.Create?.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 5, WriteCapacityUnits: 3 });
  expect(byShard(await checkpointer.listOwnedLeases('go-worker-1'))).toEqual([
    { shardId: 'shardId-000000000000', leaseCounter: 0 },
    { shardId: 'shardId-000000000002', leaseCounter: 0 },
  ]);
  expect(await checkpointer.listOwnedLeases('go-worker-2')).toEqual([{ shardId: 'shardId-000000000001', leaseCounter: 0 }]);
  // dynalite accepts this UpdateTable but never adds the index: to the store it is "being created", so it scans.
  expect(lines.filter((l) => l.message.startsWith('Adding the owner index'))).toHaveLength(1);
  expect(warnings(lines)).toHaveLength(1);
  expect(warnings(lines)[0]!.message).toContain('being created');
  // The rest of the store works on it as before.
  expect((await checkpointer.listLeases()).map((l) => l.id).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']);
});

test('UpdateTable denied: init() still succeeds, one warning names dynamodb:UpdateTable, no further UpdateTable', async () => {
  const tableName = randomName('denied');
  await createTableWithoutIndex(tableName);
  const { checkpointer, counts, lines, updates } = await probe(tableName, { ownerIndexCheckIntervalMillis: 100 }, (command, _input, send) =>
    command === 'UpdateTableCommand'
      ? Promise.reject(serviceError('AccessDeniedException', 'User: arn:aws:iam::1:user/k is not authorized to perform: dynamodb:UpdateTable'))
      : send(),
  );
  await takeAll(checkpointer, 'worker-a', ['s-1']);
  expect(await checkpointer.listOwnedLeases('worker-a')).toEqual([{ shardId: 's-1', leaseCounter: 1 }]);
  await sleep(150);
  expect(await checkpointer.listOwnedLeases('worker-a')).toEqual([{ shardId: 's-1', leaseCounter: 1 }]);
  expect(updates).toHaveLength(1); // tried once at init(), never again
  expect(counts.get('DescribeTableCommand')).toBeGreaterThanOrEqual(2); // init() and the later look
  const warned = warnings(lines);
  expect(warned).toHaveLength(1);
  expect(warned[0]!.message).toContain('denied');
  expect(warned[0]!.message).toContain('dynamodb:UpdateTable');
  expect(warned[0]!.fields).toMatchObject({ state: 'denied', index: 'AssignedTo-index' });
});

test('createOwnerIndex: false and no index: no UpdateTable, a Scan and one warning naming the option', async () => {
  const tableName = randomName('nocreate');
  await createTableWithoutIndex(tableName);
  const { checkpointer, counts, lines, updates } = await probe(tableName, { createOwnerIndex: false });
  await takeAll(checkpointer, 'worker-a', ['s-1']);
  counts.clear();
  expect(await checkpointer.listOwnedLeases('worker-a')).toEqual([{ shardId: 's-1', leaseCounter: 1 }]);
  expect(await checkpointer.listOwnedLeases('worker-b')).toEqual([]);
  expect(updates).toHaveLength(0);
  expect(counts.get('ScanCommand')).toBe(2);
  const warned = warnings(lines);
  expect(warned).toHaveLength(1);
  expect(warned[0]!.message).toContain('createOwnerIndex is false');
});

test('an index that is still CREATING (backfilling) is not queried; once ACTIVE it is, and that is logged', async () => {
  const tableName = randomName('backfill');
  let backfilling = true;
  // Fault: DescribeTable reports the index CREATING while `backfilling` (dynalite's indexes are ACTIVE at once).
  // ownedLeasesRefreshMillis 0: every call reads (this is about how, not whether; owned-leases.test.ts covers that).
  const { checkpointer, counts, lines } = await probe(
    tableName,
    { ownerIndexCheckIntervalMillis: 100, ownedLeasesRefreshMillis: 0 },
    async (command, _input, send) => {
      const result = await send();
      const table = (result.output as { Table?: { GlobalSecondaryIndexes?: Array<{ IndexStatus?: string }> } }).Table;
      if (command === 'DescribeTableCommand' && backfilling) for (const index of table?.GlobalSecondaryIndexes ?? []) index.IndexStatus = 'CREATING';
      return result;
    },
  );
  await takeAll(checkpointer, 'worker-a', ['s-1']);
  counts.clear();
  expect(await checkpointer.listOwnedLeases('worker-a')).toEqual([{ shardId: 's-1', leaseCounter: 1 }]);
  expect(counts.get('ScanCommand')).toBe(1);
  expect(warnings(lines)).toHaveLength(1);
  expect(warnings(lines)[0]!.message).toContain('being created');

  backfilling = false;
  await sleep(120);
  counts.clear();
  expect(await checkpointer.listOwnedLeases('worker-a')).toEqual([{ shardId: 's-1', leaseCounter: 1 }]);
  expect(await checkpointer.listOwnedLeases('worker-a')).toEqual([{ shardId: 's-1', leaseCounter: 1 }]);
  expect(Object.fromEntries(counts)).toEqual({ DescribeTableCommand: 1, QueryCommand: 2 });
  expect(lines.filter((l) => l.message.startsWith('Owner index is ACTIVE'))).toHaveLength(1);
  expect(warnings(lines)).toHaveLength(1);
});

test('a Query refused because the index went away falls back to a Scan for that call and looks at the table again', async () => {
  const tableName = randomName('gone');
  let queries = 0;
  const { checkpointer, counts, lines } = await probe(tableName, {}, (command, _input, send) => {
    if (command === 'QueryCommand' && queries++ === 0) {
      return Promise.reject(serviceError('ValidationException', 'The table does not have the specified index: AssignedTo-index'));
    }
    return send();
  });
  await takeAll(checkpointer, 'worker-a', ['s-1']);
  counts.clear();
  expect(await checkpointer.listOwnedLeases('worker-a')).toEqual([{ shardId: 's-1', leaseCounter: 1 }]);
  expect(counts.get('ScanCommand')).toBe(1);
  expect(warnings(lines)).toHaveLength(1);
  // The next call looks at the table (the index is there) and queries again.
  expect(await checkpointer.listOwnedLeases('worker-a')).toEqual([{ shardId: 's-1', leaseCounter: 1 }]);
  expect(counts.get('DescribeTableCommand')).toBe(1);
  expect(queries).toBe(2);
});

test('an index named AssignedTo-index that is not the owner index is left alone; listOwnedLeases scans and says why', async () => {
  const tableName = randomName('foreign');
  await dynalite.client().send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: 'ShardID', AttributeType: 'S' },
        { AttributeName: 'AssignedTo', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'ShardID', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        { IndexName: 'AssignedTo-index', KeySchema: [{ AttributeName: 'AssignedTo', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
      ],
    }),
  );
  const { checkpointer, counts, lines, updates } = await probe(tableName);
  expect(updates).toHaveLength(0);
  await takeAll(checkpointer, 'worker-a', ['s-1']);
  await takeOrRenewLease(checkpointer, (await checkpointer.listLeases())[0]!, 'worker-a');
  counts.clear();
  // With KEYS_ONLY the index has no LeaseCounter: querying it would report counter 0.
  expect(await checkpointer.listOwnedLeases('worker-a')).toEqual([{ shardId: 's-1', leaseCounter: 2 }]);
  expect(counts.get('QueryCommand')).toBeUndefined();
  expect(warnings(lines)).toHaveLength(1);
  expect(warnings(lines)[0]!.message).toContain('not the owner index (key AssignedTo (HASH), projection KEYS_ONLY)');
});

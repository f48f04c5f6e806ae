// consumedCapacity(): requests per operation and refused writes always; read/write units only with
// reportConsumedCapacity, taken from what the server reports (dynalite reports CapacityUnits for applied calls).
import { takeOrRenewLease } from '@kcl/core';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createShardStatus } from '@kcl/core';
import { localDynamoClient, randomName, useDynalite } from '@kcl/testbed';
import { DynamoCheckpoint } from '../src';
import type { DynamoCheckpointOptions } from '../src';
import { testConfig } from './helpers';

const dynalite = useDynalite();
let client: DynamoDBClient;
let asked: Map<string, Array<string | undefined>>;
let cp: DynamoCheckpoint | undefined;

beforeEach(() => {
  client = localDynamoClient(dynalite.endpoint());
  asked = new Map();
  // Records the ReturnConsumedCapacity of every request, by command.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName as string;
      asked.set(name, [...(asked.get(name) ?? []), (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity]);
      return next(args);
    },
    { step: 'initialize', name: 'recordCapacityRequest' },
  );
});
afterEach(async () => {
  await cp?.close();
  client.destroy();
});

async function open(options: DynamoCheckpointOptions): Promise<DynamoCheckpoint> {
  cp = new DynamoCheckpoint(testConfig(dynalite.endpoint(), { tableName: randomName('cap') }), options).withDynamoDB(client);
  await cp.init();
  return cp;
}

/** One of each kind of call, plus a refused take. */
async function workload(c: DynamoCheckpoint): Promise<void> {
  const shard = createShardStatus('s-1');
  await takeOrRenewLease(c, shard, 'worker-a'); // UpdateItem
  await takeOrRenewLease(c, createShardStatus('s-1'), 'worker-b').catch(() => undefined); // refused UpdateItem + GetItem
  await c.fetchCheckpoint(shard).catch(() => undefined); // GetItem
  await c.listLeases(); // Scan
  await c.listOwnedLeases('worker-a'); // Query
  await c.heartbeat('worker-a'); // UpdateItem
  await c.removeWorker('worker-a'); // DeleteItem
}

test('off by default: nothing is asked of DynamoDB, no units, but requests and refused writes are counted', async () => {
  const c = await open({});
  await workload(c);
  for (const [command, values] of asked) {
    if (command.endsWith('TableCommand')) continue;
    expect([command, values.every((v) => v === undefined)]).toEqual([command, true]);
  }
  expect(c.consumedCapacity()).toEqual({
    read: 0,
    write: 0,
    requests: { GetItem: 2, UpdateItem: 3, DeleteItem: 1, Scan: 1, Query: 1 },
    refusedWrites: 1,
  });
});

test('reportConsumedCapacity: every data request asks for TOTAL and the reported units add up by kind', async () => {
  const c = await open({ reportConsumedCapacity: true });
  await workload(c);
  const data = [...asked].filter(([command]) => !command.endsWith('TableCommand'));
  expect(data.map(([command]) => command).sort()).toEqual([
    'DeleteItemCommand',
    'GetItemCommand',
    'QueryCommand',
    'ScanCommand',
    'UpdateItemCommand',
  ]);
  for (const [, values] of data) expect(values.every((v) => v === 'TOTAL')).toBe(true);
  const report = c.consumedCapacity();
  // As dynalite reports them: 1 unit per applied write of a small item (the refused take reports nothing), 1 per
  // GetItem (consistent), 0.5 per Scan or Query page of a small table (it charges its Scans as eventually consistent).
  expect(report).toEqual({
    read: 3,
    write: 3,
    requests: { GetItem: 2, UpdateItem: 3, DeleteItem: 1, Scan: 1, Query: 1 },
    refusedWrites: 1,
  });
  // A copy: later calls do not change an earlier report.
  await c.listLeases();
  expect(report.read).toBe(3);
  expect(c.consumedCapacity().read).toBe(3.5);
});

test('DynamoDB-style answers that split TOTAL into read and write units are added by those fields', async () => {
  // Fault: answers shaped as DynamoDB gives them (CapacityUnits plus the split, index writes included in the total).
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = (await next(args)) as { output: { ConsumedCapacity?: object } };
      if (context.commandName === 'UpdateItemCommand') result.output.ConsumedCapacity = { CapacityUnits: 2, WriteCapacityUnits: 2 };
      if (context.commandName === 'GetItemCommand') result.output.ConsumedCapacity = { CapacityUnits: 1, ReadCapacityUnits: 1 };
      return result as never;
    },
    { step: 'initialize', name: 'dynamoShapedCapacity' },
  );
  const c = await open({ reportConsumedCapacity: true });
  const shard = createShardStatus('s-1');
  await takeOrRenewLease(c, shard, 'worker-a');
  await takeOrRenewLease(c, shard, 'worker-a');
  await c.getLeaseOwner('s-1');
  expect(c.consumedCapacity()).toMatchObject({ read: 1, write: 4 });
});

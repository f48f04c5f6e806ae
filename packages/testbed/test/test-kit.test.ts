import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  createTestTable,
  DeliveryLog,
  readChildSettings,
  startKinesalite,
  TestbedError,
  textRecords,
  useDynalite,
  useServer,
  type DeliveryBatch,
} from '../src';

const dynalite = useDynalite();

describe('useDynalite and createTestTable', () => {
  it('serves dynalite with one client on it; tables are on-demand unless provisioned', async () => {
    const client = dynalite.client();
    expect(dynalite.client()).toBe(client);
    expect(dynalite.endpoint()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const onDemand = await createTestTable(client, { partitionKey: 'ShardID' });
    const provisioned = await createTestTable(client, { partitionKey: 'ShardID', provisioned: { readCapacityUnits: 3, writeCapacityUnits: 4 } });
    const describe = async (name: string) => (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
    expect(await describe(onDemand)).toMatchObject({ TableStatus: 'ACTIVE', BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' } });
    expect(await describe(provisioned)).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: [{ AttributeName: 'ShardID', KeyType: 'HASH' }],
      ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 },
    });
  });
});

describe('worker-child helpers', () => {
  it('readChildSettings parses the variable and names it when it is not set', () => {
    expect(readChildSettings<{ a: number }>('KIT_SETTINGS', { KIT_SETTINGS: '{"a":1}' })).toEqual({ a: 1 });
    expect(() => readChildSettings('KIT_SETTINGS', {})).toThrow('KIT_SETTINGS is not set');
  });

  it('textRecords gives the data as UTF-8 text with its sequence number', () => {
    expect(textRecords([{ data: Buffer.from('héllo'), sequenceNumber: '42' }])).toEqual([{ data: 'héllo', sequenceNumber: '42' }]);
  });
});

describe('DeliveryLog', () => {
  const batch = (workerId: string, instance: string, start: number, end: number, seqs: number[], shardId = 's-0'): DeliveryBatch => ({
    workerId,
    shardId,
    instance,
    start,
    end,
    records: seqs.map((n) => ({ data: `r${n}`, sequenceNumber: String(n) })),
    failed: false,
  });

  it('accepts a hand-off that re-delivers from the last checkpoint, without overlap', () => {
    const log = new DeliveryLog();
    log.addBatch(batch('a', 'a#1', 0, 10, [1, 2, 3]));
    log.addBatch(batch('b', 'b#1', 20, 30, [3, 4]));
    expect(log.orderViolations()).toEqual([]);
    expect(log.overlaps()).toEqual([]);
    expect(log.duplicates()).toEqual(['r3']);
    expect(log.missing(['r1', 'r4', 'r5'])).toEqual(['r5']);
  });

  it('reports order violations within a tenure and across tenures, and two workers on one shard at once', () => {
    const log = new DeliveryLog();
    log.addBatch(batch('a', 'a#1', 0, 10, [5, 4]));
    log.addBatch(batch('b', 'b#1', 5, 15, [7]));
    log.addBatch(batch('b', 'b#1', 16, 17, [6]));
    log.addBatch(batch('c', 'c#1', 5, 15, [1], 's-1'));
    expect(log.orderViolations()).toEqual([
      's-0 (a#1): 4 after 5',
      's-0: 4 first delivered after 5',
      's-0 (b#1): 6 after 7',
      's-0: 6 first delivered after 7',
    ]);
    expect(log.overlaps().map(([x, y]) => `${x.workerId}/${y.workerId}`)).toEqual(['a/b']);
  });
});

describe('useServer', () => {
  const server = useServer(startKinesalite);
  let early: unknown;
  try {
    server(); // while the tests are collected, before the beforeAll ran
  } catch (error) {
    early = error;
  }

  it('gives the running server to the tests, and says so when it is asked for before it runs', () => {
    expect(early).toBeInstanceOf(TestbedError);
    expect(server().endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

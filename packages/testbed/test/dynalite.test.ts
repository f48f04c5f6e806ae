import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createConnection } from 'node:net';
import { createTestTable, localDynamoClient, startDynalite, type LocalServer } from '../src';

describe('dynalite', () => {
  let server: LocalServer;
  let client: DynamoDBClient;

  beforeAll(async () => {
    server = await startDynalite();
    client = localDynamoClient(server.endpoint);
  });

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('round-trips an item: CreateTable, PutItem, GetItem', async () => {
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    const table = await createTestTable(client, { partitionKey: 'ShardID' });
    expect(table).toMatch(/^kcl-test-table-[0-9a-f]{12}$/);
    await client.send(new PutItemCommand({ TableName: table, Item: { ShardID: { S: 'shardId-000' }, Checkpoint: { S: '42' } } }));
    const got = await client.send(new GetItemCommand({ TableName: table, Key: { ShardID: { S: 'shardId-000' } }, ConsistentRead: true }));
    expect(got.Item).toEqual({ ShardID: { S: 'shardId-000' }, Checkpoint: { S: '42' } });
  });

  it('rejects a failed conditional write with ConditionalCheckFailedException', async () => {
    const table = await createTestTable(client, { partitionKey: 'pk', sortKey: 'sk' });
    const put = (): PutItemCommand =>
      new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' }, sk: { S: 'b' } }, ConditionExpression: 'attribute_not_exists(pk)' });
    await client.send(put());
    await expect(client.send(put())).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  it('keeps new tables CREATING for createTableMs, and createTestTable waits for ACTIVE', async () => {
    const slow = await startDynalite({ createTableMs: 300 });
    const slowClient = localDynamoClient(slow.endpoint);
    try {
      const began = Date.now();
      await createTestTable(slowClient);
      expect(Date.now() - began).toBeGreaterThanOrEqual(250);
    } finally {
      slowClient.destroy();
      await slow.stop();
    }
    await expect(startDynalite({ createTableMs: -5 })).rejects.toThrow(/createTableMs must be an integer/);
  });

  it('frees its port on stop()', async () => {
    const other = await startDynalite();
    await other.stop();
    await other.stop(); // twice is fine
    const refused = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port: other.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

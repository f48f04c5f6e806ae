import { CreateTableCommand, GetItemCommand, PutItemCommand, waitUntilTableExists, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createConnection } from 'node:net';
import { createDynamoDBClient, LOCAL_WAITER_DELAYS, startLocalDynamoDB, type LocalServer } from '../src';

/** An on-demand table with one string key `pk`, ACTIVE once the SDK waiter says so. */
async function createTable(client: DynamoDBClient, name: string): Promise<void> {
  const key = { AttributeName: 'pk', KeyType: 'HASH' as const };
  const input = { TableName: name, KeySchema: [key], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }] };
  await client.send(new CreateTableCommand({ ...input, BillingMode: 'PAY_PER_REQUEST' }));
  await waitUntilTableExists({ client, maxWaitTime: 30, ...LOCAL_WAITER_DELAYS }, { TableName: name });
}

describe('startLocalDynamoDB (dynalite)', () => {
  let server: LocalServer;
  let client: DynamoDBClient;

  beforeAll(async () => {
    server = await startLocalDynamoDB();
    client = createDynamoDBClient(server.endpoint);
  });

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('round-trips an item: CreateTable, PutItem, GetItem', async () => {
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    await createTable(client, 'items');
    await client.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'shardId-000' }, Checkpoint: { S: '42' } } }));
    const got = await client.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'shardId-000' } }, ConsistentRead: true }));
    expect(got.Item).toEqual({ pk: { S: 'shardId-000' }, Checkpoint: { S: '42' } });
  });

  it('rejects a failed conditional write with ConditionalCheckFailedException', async () => {
    const table = 'conditional';
    await createTable(client, table);
    const put = (): PutItemCommand =>
      new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' } }, ConditionExpression: 'attribute_not_exists(pk)' });
    await client.send(put());
    await expect(client.send(put())).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  it('keeps new tables CREATING for createTableMs', async () => {
    const slow = await startLocalDynamoDB({ createTableMs: 300 });
    const slowClient = createDynamoDBClient(slow.endpoint);
    try {
      const began = Date.now();
      await createTable(slowClient, 'slow');
      expect(Date.now() - began).toBeGreaterThanOrEqual(250);
    } finally {
      slowClient.destroy();
      await slow.stop();
    }
    await expect(startLocalDynamoDB({ createTableMs: -5 })).rejects.toMatchObject({
      code: 'LOCAL_BAD_OPTION',
      message: expect.stringMatching(/createTableMs must be an integer/),
    });
  });

  it('frees its port on stop()', async () => {
    const other = await startLocalDynamoDB();
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

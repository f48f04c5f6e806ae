// DynamoDB specifics of fleet coordination (the shared conformance suite covers the semantics): the items' layout in
// the lease table, one request per transition, coordination items kept out of the shard listings next to go-kcl rows,
// transferLease's row, and argument checks that fail before any request.
import { takeOrRenewLease } from '@kcl/core';
import { GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createShardStatus, InvalidArgumentError, LeaseLostError, SHARD_END } from '@kcl/core';
import { localDynamoClient, randomName, useDynalite } from '@kcl/testbed';
import { DynamoCheckpoint } from '../src';
import { closeAll, countCommands, openCheckpointer, testConfig } from './helpers';

const dynalite = useDynalite();
let client: DynamoDBClient;
let counts: Map<string, number>;
let cp: DynamoCheckpoint;
let tableName: string;

beforeEach(async () => {
  tableName = randomName('coord');
  client = localDynamoClient(dynalite.endpoint());
  counts = countCommands(client);
  cp = new DynamoCheckpoint(testConfig(dynalite.endpoint(), { tableName, workerId: 'worker-a', failoverTimeMillis: 60_000 })).withDynamoDB(client);
  await cp.init();
  counts.clear();
});
afterEach(async () => {
  await cp.close();
  client.destroy();
  await closeAll();
});

async function row(key: string) {
  return (await dynalite.client().send(new GetItemCommand({ TableName: tableName, Key: { ShardID: { S: key } }, ConsistentRead: true }))).Item;
}

test('heartbeat is one UpdateItem on the item __kcl_coordination__#worker#<id>, which holds only LeaseCounter', async () => {
  await cp.heartbeat('worker-a');
  await cp.heartbeat('worker-a');
  expect(Object.fromEntries(counts)).toEqual({ UpdateItemCommand: 2 });
  expect(await row('__kcl_coordination__#worker#worker-a')).toEqual({
    ShardID: { S: '__kcl_coordination__#worker#worker-a' },
    LeaseCounter: { N: '2' },
  });
  await cp.removeWorker('worker-a');
  expect(counts.get('DeleteItemCommand')).toBe(1);
  expect(await row('__kcl_coordination__#worker#worker-a')).toBeUndefined();
});

test('worker ids with the separator or odd characters round-trip through the registry', async () => {
  const ids = ['a#b', 'host:1234/pid 7', 'ü-worker'];
  for (const id of ids) await cp.heartbeat(id);
  expect((await cp.listWorkers()).map((w) => w.workerId).sort()).toEqual([...ids].sort());
});

test('the coordinator lease is the item __kcl_coordination__#leader with AssignedTo, LeaseCounter and LeaseToken', async () => {
  const taken = await cp.takeCoordinatorLease('worker-a', 0);
  expect(counts.get('UpdateItemCommand')).toBe(1);
  expect(await row('__kcl_coordination__#leader')).toEqual({
    ShardID: { S: '__kcl_coordination__#leader' },
    AssignedTo: { S: 'worker-a' },
    LeaseCounter: { N: '1' },
    LeaseToken: { S: taken.leaseToken },
  });
  await cp.releaseCoordinatorLease('worker-a', taken.leaseToken!);
  expect(await row('__kcl_coordination__#leader')).toEqual({ ShardID: { S: '__kcl_coordination__#leader' }, LeaseCounter: { N: '2' } });
  expect(counts.get('UpdateItemCommand')).toBe(2);
});

test('coordination items stay out of listLeases and listActiveWorkers next to go-kcl rows; go-kcl sees them as extra rows only', async () => {
  await dynalite.client().send(
    new PutItemCommand({
      TableName: tableName,
      Item: { ShardID: { S: 'shardId-000000000007' }, AssignedTo: { S: 'go-worker' }, Checkpoint: { S: '42' } },
    }),
  );
  await cp.heartbeat('worker-a');
  await cp.takeCoordinatorLease('worker-a', 0);
  const mine = createShardStatus('shardId-000000000001');
  await takeOrRenewLease(cp, mine, 'worker-a');
  expect((await cp.listLeases()).map((l) => l.id).sort()).toEqual(['shardId-000000000001', 'shardId-000000000007']);
  const active = await cp.listActiveWorkers(new Map());
  expect(Object.fromEntries([...active].map(([w, leases]) => [w, leases.map((l) => l.id)]))).toEqual({
    'go-worker': ['shardId-000000000007'],
    'worker-a': ['shardId-000000000001'],
  });
  // The table itself holds the two coordination items as ordinary rows (what go-kcl's Scan would see).
  const all = await dynalite.client().send(new ScanCommand({ TableName: tableName }));
  expect((all.Items ?? []).map((i) => i.ShardID?.S).sort()).toEqual([
    '__kcl_coordination__#leader',
    '__kcl_coordination__#worker#worker-a',
    'shardId-000000000001',
    'shardId-000000000007',
  ]);
});

test('transferLease is one conditional UpdateItem (then the assignment signal): new owner and token, counter + 1, claim removed, LeaseTimeout refreshed, checkpoint kept', async () => {
  const shard = createShardStatus('s-1');
  await takeOrRenewLease(cp, shard, 'worker-a');
  shard.checkpoint = '1234';
  await cp.checkpointSequence(shard);
  const b = await openCheckpointer(dynalite.endpoint(), { tableName, workerId: 'worker-b' });
  await b.claimShard(createShardStatus('s-1', { assignedTo: 'worker-a' }), 'worker-b');
  const before = await row('s-1');
  counts.clear();
  const moved = await cp.transferLease('s-1', shard.leaseToken!, 'worker-a', 'worker-b');
  // The lease write, then the assignment signal to worker-b (refused: worker-b has no registry item, none is created).
  expect(Object.fromEntries(counts)).toEqual({ UpdateItemCommand: 2 });
  expect(cp.consumedCapacity().refusedWrites).toBe(1);
  expect(await row('__kcl_coordination__#worker#worker-b')).toBeUndefined();
  const after = await row('s-1');
  expect(after).toMatchObject({
    AssignedTo: { S: 'worker-b' },
    LeaseCounter: { N: '2' },
    Checkpoint: { S: '1234' },
    LeaseToken: { S: moved.leaseToken },
  });
  expect(after?.ClaimRequest).toBeUndefined();
  expect(before?.ClaimRequest).toEqual({ S: 'worker-b' });
  expect(after?.LeaseToken?.S).not.toBe(before?.LeaseToken?.S);
  expect(Date.parse(after!.LeaseTimeout!.S!)).toBeGreaterThan(Date.now() + 50_000); // now + failoverTimeMillis
  expect(moved).toMatchObject({ id: 's-1', assignedTo: 'worker-b', leaseCounter: 2, checkpoint: '1234', claimRequest: undefined });
});

test('a refused transfer is classified from the row read after it (dynalite returns no ALL_OLD item)', async () => {
  const shard = createShardStatus('s-1');
  await takeOrRenewLease(cp, shard, 'worker-a');
  counts.clear();
  const error = await cp.transferLease('s-1', 'stale-token', 'worker-a', 'worker-b').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(LeaseLostError);
  expect((error as Error).message).toContain('re-taken since');
  expect(Object.fromEntries(counts)).toEqual({ UpdateItemCommand: 1, GetItemCommand: 1 });
  shard.checkpoint = SHARD_END;
  await cp.checkpointSequence(shard);
  await expect(cp.transferLease('s-1', shard.leaseToken!, 'worker-a', 'worker-b')).rejects.toMatchObject({ code: 'LEASE_NOT_ACQUIRED' });
});

test.each<[string, (c: DynamoCheckpoint) => Promise<unknown>]>([
  ['heartbeat("")', (c) => c.heartbeat('')],
  ['removeWorker("")', (c) => c.removeWorker('')],
  ['takeCoordinatorLease("", 0)', (c) => c.takeCoordinatorLease('', 0)],
  ['takeCoordinatorLease(w, -1)', (c) => c.takeCoordinatorLease('w', -1)],
  ['takeCoordinatorLease(w, 1.5)', (c) => c.takeCoordinatorLease('w', 1.5)],
  ['renewCoordinatorLease(w, "")', (c) => c.renewCoordinatorLease('w', '')],
  ['releaseCoordinatorLease(w, "")', (c) => c.releaseCoordinatorLease('w', '')],
  ['listOwnedLeases("")', (c) => c.listOwnedLeases('')],
  ['transferLease("", t, a, b)', (c) => c.transferLease('', 't', 'a', 'b')],
  ['transferLease(s, "", a, b)', (c) => c.transferLease('s', '', 'a', 'b')],
  ['transferLease(s, t, "", b)', (c) => c.transferLease('s', 't', '', 'b')],
  ['transferLease(s, t, a, "")', (c) => c.transferLease('s', 't', 'a', '')],
  ['transferLease(s, t, a, a)', (c) => c.transferLease('s', 't', 'a', 'a')],
])('%s -> InvalidArgumentError before any request', async (_what, call) => {
  await expect(call(cp)).rejects.toBeInstanceOf(InvalidArgumentError);
  expect(counts.size).toBe(0);
});

test('DynamoCheckpoint has no renewLeases: renewals stay one conditional UpdateItem per lease', () => {
  expect((cp as { renewLeases?: unknown }).renewLeases).toBeUndefined();
});

// listOwnedLeases for the store's own worker id: answered from the list last read while the worker's assignment epoch
// (registry item) has not moved; lease writes that give a lease to another worker move that worker's epoch; a
// periodic re-read covers writers that send no signal; leases this store sees go elsewhere leave the list.
import { setTimeout as sleep } from 'node:timers/promises';
import { takeOrRenewLease } from '@kcl/core';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createShardStatus, LeaseLostError } from '@kcl/core';
import type { OwnedLease, ShardStatus } from '@kcl/core';
import { localDynamoClient, randomName, useDynalite } from '@kcl/testbed';
import { DynamoCheckpoint } from '../src';
import type { DynamoCheckpointOptions } from '../src';
import { countCommands, testConfig } from './helpers';

const dynalite = useDynalite();
let tableName: string;
const clients: DynamoDBClient[] = [];
const opened: DynamoCheckpoint[] = [];

beforeEach(() => {
  tableName = randomName('owned');
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
  for (const c of clients.splice(0)) c.destroy();
});

interface Store {
  cp: DynamoCheckpoint;
  counts: Map<string, number>;
}

/** A store of `workerId` on the test's table, on a client that counts commands. */
async function store(workerId: string, options: DynamoCheckpointOptions = {}): Promise<Store> {
  const client = localDynamoClient(dynalite.endpoint());
  clients.push(client);
  const counts = countCommands(client);
  const cp = new DynamoCheckpoint(testConfig(dynalite.endpoint(), { tableName, workerId, failoverTimeMillis: 60_000 }), options).withDynamoDB(client);
  opened.push(cp);
  await cp.init();
  counts.clear();
  return { cp, counts };
}

const ids = (owned: OwnedLease[]) => owned.map((o) => o.shardId).sort();
const queries = (s: Store) => s.counts.get('QueryCommand') ?? 0;

async function take(s: Store, id: string, owner: string): Promise<ShardStatus> {
  const shard = createShardStatus(id);
  await takeOrRenewLease(s.cp, shard, owner);
  return shard;
}

/** The stored lease of `id` as another worker reads it (to take it over at its counter). */
async function stored(s: Store, id: string): Promise<ShardStatus> {
  const shard = createShardStatus(id);
  await s.cp.fetchCheckpoint(shard).catch(() => undefined);
  return shard;
}

async function registryItem(workerId: string) {
  const key = { ShardID: { S: `__kcl_coordination__#worker#${workerId}` } };
  return (await dynalite.client().send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
}

/** Lists twice: the first read and the re-read that follows it; afterwards the list is settled. */
async function settle(s: Store): Promise<OwnedLease[]> {
  await s.cp.listOwnedLeases('worker-a');
  return s.cp.listOwnedLeases('worker-a');
}

test('with nothing assigned, repeated calls send no Query; a fresh heartbeat spares the epoch read too', async () => {
  const a = await store('worker-a');
  await a.cp.heartbeat('worker-a');
  await take(a, 's-1', 'worker-a');
  expect(ids(await settle(a))).toEqual(['s-1']);
  expect(queries(a)).toBe(2); // the first read and its re-read (the owner index may lag a moment)
  a.counts.clear();
  await a.cp.heartbeat('worker-a');
  for (let i = 0; i < 5; i++) expect(ids(await a.cp.listOwnedLeases('worker-a'))).toEqual(['s-1']);
  expect(Object.fromEntries(a.counts)).toEqual({ UpdateItemCommand: 1 }); // the heartbeat only

  // Once the heartbeat is older than a second: one eventually consistent GetItem of the registry item per call.
  await sleep(1_100);
  const reads: unknown[] = [];
  clients[0]!.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetItemCommand') reads.push((args.input as { ConsistentRead?: boolean }).ConsistentRead);
      return next(args);
    },
    { step: 'initialize', name: 'readConsistency' },
  );
  a.counts.clear();
  expect(ids(await a.cp.listOwnedLeases('worker-a'))).toEqual(['s-1']);
  expect(Object.fromEntries(a.counts)).toEqual({ GetItemCommand: 1 });
  expect(reads).toEqual([false]);
});

test("a lease another store assigns to the worker is in the worker's next list (epoch from a read or from the heartbeat)", async () => {
  const a = await store('worker-a');
  const leader = await store('worker-l');
  await a.cp.heartbeat('worker-a');
  expect(await settle(a)).toEqual([]);

  await take(leader, 's-1', 'worker-a'); // the leader assigns
  expect((await registryItem('worker-a'))?.AssignmentEpoch).toEqual({ N: '1' });
  await sleep(1_100); // the heartbeat's epoch is stale now: the call reads the registry item
  a.counts.clear();
  expect(await a.cp.listOwnedLeases('worker-a')).toEqual([{ shardId: 's-1', leaseCounter: 1 }]);
  expect(queries(a)).toBe(1);

  await a.cp.listOwnedLeases('worker-a'); // the re-read after a move
  await take(leader, 's-2', 'worker-a');
  await a.cp.heartbeat('worker-a'); // learns the epoch from its heartbeat
  a.counts.clear();
  expect(ids(await a.cp.listOwnedLeases('worker-a'))).toEqual(['s-1', 's-2']);
  expect(Object.fromEntries(a.counts)).toEqual({ QueryCommand: 1 });
});

test("a lease handed over with transferLease is in the receiver's next list", async () => {
  const a = await store('worker-a');
  const b = await store('worker-b');
  await a.cp.heartbeat('worker-a');
  await b.cp.heartbeat('worker-b');
  const shard = await take(b, 's-1', 'worker-b');
  expect(await settle(a)).toEqual([]);
  await b.cp.transferLease('s-1', shard.leaseToken!, 'worker-b', 'worker-a');
  await a.cp.heartbeat('worker-a');
  expect(ids(await a.cp.listOwnedLeases('worker-a'))).toEqual(['s-1']);
});

test('the owner index is read again after ownedLeasesRefreshMillis even without a signal (a writer that sends none)', async () => {
  const a = await store('worker-a', { ownedLeasesRefreshMillis: 300 });
  await a.cp.heartbeat('worker-a');
  expect(await settle(a)).toEqual([]);
  // An older @kcl leader assigns without a signal.
  await dynalite.client().send(
    new PutItemCommand({
      TableName: tableName,
      Item: { ShardID: { S: 's-9' }, AssignedTo: { S: 'worker-a' }, LeaseCounter: { N: '1' }, LeaseToken: { S: 't' } },
    }),
  );
  await a.cp.heartbeat('worker-a');
  a.counts.clear();
  expect(await a.cp.listOwnedLeases('worker-a')).toEqual([]); // nothing signalled: the list as read
  expect(queries(a)).toBe(0);
  await sleep(350);
  await a.cp.heartbeat('worker-a');
  expect(ids(await a.cp.listOwnedLeases('worker-a'))).toEqual(['s-9']);
  expect(queries(a)).toBe(1);
});

test('ownedLeasesRefreshMillis: 0 reads the owner index on every call', async () => {
  const a = await store('worker-a', { ownedLeasesRefreshMillis: 0 });
  await a.cp.heartbeat('worker-a');
  for (let i = 0; i < 4; i++) await a.cp.listOwnedLeases('worker-a');
  expect(queries(a)).toBe(4);
  expect(a.counts.get('GetItemCommand')).toBeUndefined();
});

test('another worker id is always read from the owner index (only the own list is kept)', async () => {
  const a = await store('worker-a');
  for (let i = 0; i < 3; i++) await a.cp.listOwnedLeases('worker-b');
  expect(queries(a)).toBe(3);
});

test('leases this store sees go to someone else leave the list without a Query; own takes join it', async () => {
  const a = await store('worker-a');
  const c = await store('worker-c');
  await a.cp.heartbeat('worker-a');
  const one = await take(a, 's-1', 'worker-a');
  const two = await take(a, 's-2', 'worker-a');
  await take(c, 's-3', 'worker-a'); // assigned by the leader, never adopted
  const four = await take(a, 's-4', 'worker-a');
  await a.cp.heartbeat('worker-a');
  expect(ids(await settle(a))).toEqual(['s-1', 's-2', 's-3', 's-4']);
  a.counts.clear();

  // Taken over by another worker (no signal to the old owner): a renewal refused as LEASE_LOST drops it.
  await takeOrRenewLease(c.cp, await stored(c, 's-1'), 'worker-c');
  await expect(takeOrRenewLease(a.cp, one, 'worker-a')).rejects.toBeInstanceOf(LeaseLostError);
  // Released by the worker itself.
  await a.cp.removeLeaseOwner('s-2', two.leaseToken!);
  // Re-assigned elsewhere: the worker's read of the lease shows the other owner.
  await takeOrRenewLease(c.cp, await stored(c, 's-3'), 'worker-c');
  await a.cp.fetchCheckpoint(createShardStatus('s-3')).catch(() => undefined);
  // Handed over by the worker.
  await a.cp.transferLease('s-4', four.leaseToken!, 'worker-a', 'worker-c');
  // An own take joins.
  await take(a, 's-5', 'worker-a');

  expect(ids(await a.cp.listOwnedLeases('worker-a'))).toEqual(['s-5']);
  expect(queries(a)).toBe(0);
});

test('signals to one worker are coalesced: 20 assignments at once send fewer than 20 signal writes', async () => {
  const leader = await store('worker-l');
  await leader.cp.heartbeat('worker-b');
  leader.counts.clear();
  await Promise.all(Array.from({ length: 20 }, (_, i) => take(leader, `s-${i}`, 'worker-b')));
  const signals = (leader.counts.get('UpdateItemCommand') ?? 0) - 20;
  expect(signals).toBeGreaterThanOrEqual(1);
  expect(signals).toBeLessThan(20);
  expect(Number((await registryItem('worker-b'))?.AssignmentEpoch?.N)).toBe(signals);
});

test('a registry item deleted and created again (epoch back to 0) reads the owner index again', async () => {
  const a = await store('worker-a');
  const leader = await store('worker-l');
  await a.cp.heartbeat('worker-a');
  await a.cp.heartbeat('worker-a');
  await take(leader, 's-1', 'worker-a'); // epoch 1
  await a.cp.heartbeat('worker-a');
  expect(ids(await settle(a))).toEqual(['s-1']);
  // The leader removes the entry (it thought the worker dead), assigns to it again once it is back: epoch 1 again.
  await leader.cp.removeWorker('worker-a');
  await leader.cp.heartbeat('worker-a');
  await take(leader, 's-2', 'worker-a');
  await a.cp.heartbeat('worker-a');
  expect((await registryItem('worker-a'))?.AssignmentEpoch).toEqual({ N: '1' });
  expect(ids(await a.cp.listOwnedLeases('worker-a'))).toEqual(['s-1', 's-2']);
});

test('a registry item without AssignmentEpoch (go-kcl table, older @kcl) counts as epoch 0', async () => {
  const a = await store('worker-a');
  await dynalite
    .client()
    .send(new PutItemCommand({ TableName: tableName, Item: { ShardID: { S: '__kcl_coordination__#worker#worker-a' }, LeaseCounter: { N: '7' } } }));
  await a.cp.heartbeat('worker-a');
  expect(await settle(a)).toEqual([]);
  // This store's signal adds the attribute to the item.
  const leader = await store('worker-l');
  await take(leader, 's-1', 'worker-a');
  expect(await registryItem('worker-a')).toEqual({
    ShardID: { S: '__kcl_coordination__#worker#worker-a' },
    LeaseCounter: { N: '8' }, // 7 + the heartbeat
    AssignmentEpoch: { N: '1' },
  });
  await a.cp.heartbeat('worker-a');
  expect(ids(await a.cp.listOwnedLeases('worker-a'))).toEqual(['s-1']);
});

test('removeWorker of the own id forgets the list: the next call reads the owner index (shutdown finds late assignments)', async () => {
  const a = await store('worker-a');
  await a.cp.heartbeat('worker-a');
  expect(await settle(a)).toEqual([]);
  await a.cp.removeWorker('worker-a');
  const leader = await store('worker-l');
  await take(leader, 's-1', 'worker-a'); // no registry item: no signal
  a.counts.clear();
  expect(ids(await a.cp.listOwnedLeases('worker-a'))).toEqual(['s-1']);
  expect(queries(a)).toBe(1);
});

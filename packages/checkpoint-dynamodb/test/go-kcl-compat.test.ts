// Rows written by go-kcl (vmware-go-kcl's DynamoDB checkpointer) are read, taken and checkpointed; rows we write keep
// go-kcl's attribute names and types so go-kcl tooling can still read them.
import { takeOrRenewLease } from '@kcl/core';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { createShardStatus, LeaseNotAcquiredError, SHARD_END } from '@kcl/core';
import { randomName, useDynalite } from '@kcl/testbed';
import type { DynamoCheckpoint } from '../src';
import { closeAll, openCheckpointer } from './helpers';

const dynalite = useDynalite();
let checkpointer: DynamoCheckpoint;
let tableName: string;

beforeEach(async () => {
  tableName = randomName('gokcl');
  checkpointer = await openCheckpointer(dynalite.endpoint(), { tableName, workerId: 'ts-worker' });
});
afterEach(closeAll);

const SEQ = '49590338271490256608559692538361571095921575989136588898';

/** PutItem exactly as go-kcl's GetLease/CheckpointSequence store a row (only string attributes). */
async function putGoKclRow(item: Record<string, string>): Promise<void> {
  const Item: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(item)) Item[k] = { S: v };
  await dynalite.client().send(new PutItemCommand({ TableName: tableName, Item }));
}

async function row(shardId: string) {
  return (await dynalite.client().send(new GetItemCommand({ TableName: tableName, Key: { ShardID: { S: shardId } }, ConsistentRead: true }))).Item;
}

test('a go-kcl row is read: owner, RFC3339Nano LeaseTimeout, checkpoint, parent; counter 0, no token', async () => {
  await putGoKclRow({
    ShardID: 'shardId-000000000003',
    AssignedTo: 'go-worker-1',
    LeaseTimeout: '2024-05-01T10:00:00.123456789Z',
    Checkpoint: SEQ,
    ParentShardId: 'shardId-000000000001',
  });
  const [lease] = await checkpointer.listLeases();
  expect(lease).toMatchObject({
    id: 'shardId-000000000003',
    assignedTo: 'go-worker-1',
    checkpoint: SEQ,
    parentShardId: 'shardId-000000000001',
    parentShardIds: ['shardId-000000000001'],
    leaseCounter: 0,
    leaseToken: undefined,
    subSequenceNumber: undefined,
  });
  expect(lease?.leaseTimeout?.toISOString()).toBe('2024-05-01T10:00:00.123Z');

  const fetched = createShardStatus('shardId-000000000003');
  await checkpointer.fetchCheckpoint(fetched);
  expect(fetched.checkpoint).toBe(SEQ);
  expect(await checkpointer.getLeaseOwner('shardId-000000000003')).toBe('go-worker-1');
});

test('LeaseTimeout in other RFC 3339 forms (no fraction, offset) is parsed; garbage is ignored', async () => {
  await putGoKclRow({ ShardID: 's-a', AssignedTo: 'w', LeaseTimeout: '2024-05-01T10:00:00Z' });
  await putGoKclRow({ ShardID: 's-b', AssignedTo: 'w', LeaseTimeout: '2024-05-01T12:00:00.5+02:00' });
  await putGoKclRow({ ShardID: 's-c', AssignedTo: 'w', LeaseTimeout: 'not a time' });
  const byId = new Map((await checkpointer.listLeases()).map((l) => [l.id, l]));
  expect(byId.get('s-a')?.leaseTimeout?.toISOString()).toBe('2024-05-01T10:00:00.000Z');
  expect(byId.get('s-b')?.leaseTimeout?.toISOString()).toBe('2024-05-01T10:00:00.500Z');
  expect(byId.get('s-c')?.leaseTimeout).toBeUndefined();
});

test('a go-kcl lease (counter 0) can be taken and checkpointed; the row keeps go-kcl names and types', async () => {
  await putGoKclRow({
    ShardID: 'shardId-000000000003',
    AssignedTo: 'go-worker-1',
    LeaseTimeout: '2024-05-01T10:00:00.123456789Z',
    Checkpoint: SEQ,
    ParentShardId: 'shardId-000000000001',
  });
  const [observed] = await checkpointer.listLeases();
  if (!observed) throw new Error('not listed');
  await takeOrRenewLease(checkpointer, observed, 'ts-worker');
  expect(observed).toMatchObject({ assignedTo: 'ts-worker', leaseCounter: 1, checkpoint: SEQ });

  // Resume from go-kcl's checkpoint, then move it.
  observed.checkpoint = '49590338271490256608559692538361571095921575989136588999';
  await checkpointer.checkpointSequence(observed);

  const item = await row('shardId-000000000003');
  expect(item).toMatchObject({
    ShardID: { S: 'shardId-000000000003' },
    AssignedTo: { S: 'ts-worker' },
    Checkpoint: { S: observed.checkpoint },
    ParentShardId: { S: 'shardId-000000000001' },
    LeaseCounter: { N: '1' },
  });
  // What go-kcl parses with time.RFC3339Nano.
  expect(item?.LeaseTimeout?.S).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  expect(new Date(item!.LeaseTimeout!.S!).getTime()).toBeGreaterThan(Date.now());
});

test('a go-kcl row without owner or LeaseTimeout (released) is taken; one at SHARD_END is not', async () => {
  await putGoKclRow({ ShardID: 's-free', Checkpoint: SEQ });
  await putGoKclRow({ ShardID: 's-done', Checkpoint: SHARD_END, AssignedTo: 'go-worker-1', LeaseTimeout: '2024-05-01T10:00:00Z' });
  const free = createShardStatus('s-free');
  await takeOrRenewLease(checkpointer, free, 'ts-worker');
  expect(free).toMatchObject({ assignedTo: 'ts-worker', checkpoint: SEQ, leaseCounter: 1 });
  await expect(takeOrRenewLease(checkpointer, createShardStatus('s-done'), 'ts-worker')).rejects.toBeInstanceOf(LeaseNotAcquiredError);
  expect((await row('s-done'))?.AssignedTo).toEqual({ S: 'go-worker-1' });
  // A finished go-kcl shard is not an active lease.
  const workers = await checkpointer.listActiveWorkers(new Map());
  expect(workers.get('go-worker-1')).toBeUndefined();
  expect(workers.get('ts-worker')?.map((s) => s.id)).toEqual(['s-free']);
});

test('a go-kcl ClaimRequest is read and cleared by the take', async () => {
  await putGoKclRow({ ShardID: 's-claimed', AssignedTo: 'go-worker-1', LeaseTimeout: '2024-05-01T10:00:00Z', ClaimRequest: 'go-worker-2' });
  const [seen] = await checkpointer.listLeases();
  expect(seen?.claimRequest).toBe('go-worker-2');
  await takeOrRenewLease(checkpointer, seen!, 'ts-worker');
  expect((await row('s-claimed'))?.ClaimRequest).toBeUndefined();
});

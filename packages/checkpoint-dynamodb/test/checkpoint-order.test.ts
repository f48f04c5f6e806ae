// Checkpoint order enforced by the DynamoDB condition itself: a late (retried or delayed) write cannot move a
// checkpoint backwards, rows go-kcl wrote are ordered the same way, and deletes need SHARD_END. Against dynalite.
import { takeOrRenewLease } from '@kcl/core';
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { CheckpointOrderError, createShardStatus, LeaseLostError, LeaseNotFinishedError, SHARD_END } from '@kcl/core';
import { localDynamoClient, randomName, useDynalite } from '@kcl/testbed';
import { DynamoCheckpoint } from '../src';
import { closeAll, openCheckpointer, testConfig } from './helpers';

const dynalite = useDynalite();
let tableName: string;

beforeEach(() => {
  tableName = randomName('order');
});
afterEach(closeAll);

async function row(shardId: string) {
  return (await dynalite.client().send(new GetItemCommand({ TableName: tableName, Key: { ShardID: { S: shardId } }, ConsistentRead: true }))).Item;
}

/** A client that records the input of every UpdateItem it sends (to replay one later, as a late retry would). */
function recordingClient(): { client: DynamoDBClient; updates: UpdateItemCommandInput[] } {
  const client = localDynamoClient(dynalite.endpoint());
  const updates: UpdateItemCommandInput[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'UpdateItemCommand') updates.push(structuredClone(args.input as UpdateItemCommandInput));
      return next(args);
    },
    { step: 'initialize', name: 'recordUpdates' },
  );
  return { client, updates };
}

test('a late copy of an earlier checkpoint write (a retry whose first attempt was applied) cannot move the checkpoint back', async () => {
  const { client, updates } = recordingClient();
  const checkpointer = new DynamoCheckpoint(testConfig(dynalite.endpoint(), { tableName, workerId: 'worker-a' })).withDynamoDB(client);
  try {
    await checkpointer.init();
    const shard = createShardStatus('s-late');
    await takeOrRenewLease(checkpointer, shard, 'worker-a');
    shard.checkpoint = '5';
    await checkpointer.checkpointSequence(shard);
    const early = updates[updates.length - 1]!;
    expect(Object.values(early.ExpressionAttributeValues ?? {})).toContainEqual({ S: '5' });

    // The same request arriving again right away (the SDK retrying after a lost answer): the same checkpoint, allowed.
    await dynalite.client().send(new UpdateItemCommand(early));
    expect((await row('s-late'))?.Checkpoint).toEqual({ S: '5' });

    shard.checkpoint = '200';
    await checkpointer.checkpointSequence(shard);
    // ...and arriving after the owner moved on: the condition refuses it.
    const replay = await dynalite
      .client()
      .send(new UpdateItemCommand(early))
      .catch((e: unknown) => e);
    expect((replay as Error).name).toBe('ConditionalCheckFailedException');
    expect((await row('s-late'))?.Checkpoint).toEqual({ S: '200' });

    shard.checkpoint = SHARD_END;
    await checkpointer.checkpointSequence(shard);
    const afterEnd = await dynalite
      .client()
      .send(new UpdateItemCommand(updates[updates.length - 2]!))
      .catch((e: unknown) => e);
    expect((afterEnd as Error).name).toBe('ConditionalCheckFailedException');
    expect((await row('s-late'))?.Checkpoint).toEqual({ S: SHARD_END });
  } finally {
    await checkpointer.close();
    client.destroy();
  }
});

test('a go-kcl row (no LeaseCounter, no SubSequenceNumber) is ordered by its Checkpoint: taken, moved forward, never back', async () => {
  const a = await openCheckpointer(dynalite.endpoint(), { tableName, workerId: 'ts-worker' });
  const seq = '49590338271490256608559692538361571095921575989136588898';
  await dynalite.client().send(
    new PutItemCommand({
      TableName: tableName,
      Item: { ShardID: { S: 's-go' }, AssignedTo: { S: 'go-worker' }, LeaseTimeout: { S: '2024-05-01T10:00:00Z' }, Checkpoint: { S: seq } },
    }),
  );
  const [seen] = await a.listLeases();
  await takeOrRenewLease(a, seen!, 'ts-worker');
  expect(seen).toMatchObject({ checkpoint: seq, leaseCounter: 1 });

  seen!.checkpoint = '49590338271490256608559692538361571095921575989136588897';
  const back = await a.checkpointSequence(seen!).catch((e: unknown) => e);
  expect(back).toBeInstanceOf(CheckpointOrderError);
  expect(back).toMatchObject({ code: 'CHECKPOINT_OUT_OF_ORDER', stored: seq, attempted: seen!.checkpoint });
  seen!.checkpoint = seq;
  seen!.subSequenceNumber = 4; // inside the record go-kcl checkpointed as a whole
  await expect(a.checkpointSequence(seen!)).rejects.toBeInstanceOf(CheckpointOrderError);
  seen!.subSequenceNumber = undefined;
  await a.checkpointSequence(seen!); // the same: a no-op success
  seen!.checkpoint = '49590338271490256608559692538361571095921575989136588899';
  await a.checkpointSequence(seen!);
  expect(await row('s-go')).toMatchObject({ Checkpoint: { S: seen!.checkpoint }, AssignedTo: { S: 'ts-worker' } });
  expect((await row('s-go'))?.SubSequenceNumber).toBeUndefined();
});

test('a refused backwards checkpoint leaves the row untouched; a non-owner gets LeaseLostError instead', async () => {
  const a = await openCheckpointer(dynalite.endpoint(), { tableName, workerId: 'worker-a' });
  const b = await openCheckpointer(dynalite.endpoint(), { tableName, workerId: 'worker-b' });
  const shard = createShardStatus('s-back');
  await takeOrRenewLease(a, shard, 'worker-a');
  shard.checkpoint = '200';
  shard.subSequenceNumber = 7;
  await a.checkpointSequence(shard);
  const before = await row('s-back');
  shard.checkpoint = '5';
  shard.subSequenceNumber = undefined;
  const error = await a.checkpointSequence(shard).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CheckpointOrderError);
  expect((error as Error).message).toMatch(/before the stored checkpoint 200 \(subSequenceNumber 7\)/);
  expect(await row('s-back')).toEqual(before);
  const forged = createShardStatus('s-back', { assignedTo: 'worker-b', leaseToken: 'forged', checkpoint: '5' });
  await expect(b.checkpointSequence(forged)).rejects.toBeInstanceOf(LeaseLostError);
});

test('removeLeaseInfo of a go-kcl row at a sequence number is refused; at SHARD_END it is deleted', async () => {
  const a = await openCheckpointer(dynalite.endpoint(), { tableName, workerId: 'worker-a' });
  await dynalite.client().send(new PutItemCommand({ TableName: tableName, Item: { ShardID: { S: 's-open' }, Checkpoint: { S: '42' } } }));
  await dynalite.client().send(new PutItemCommand({ TableName: tableName, Item: { ShardID: { S: 's-done' }, Checkpoint: { S: SHARD_END } } }));
  const refused = await a.removeLeaseInfo('s-open').catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(LeaseNotFinishedError);
  expect(refused).toMatchObject({ code: 'LEASE_NOT_FINISHED', checkpoint: '42', shardId: 's-open' });
  expect(await row('s-open')).toBeDefined();
  await a.removeLeaseInfo('s-done');
  expect(await row('s-done')).toBeUndefined();
});

// Client ownership (injected vs created), paging of lease listings, and classification of failed conditions when the
// server returns the current row (ALL_OLD) as DynamoDB does.
import { takeOrRenewLease } from '@kcl/core';
import { DescribeTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CheckpointOrderError, createShardStatus, LeaseLostError, LeaseNotAcquiredError, LeaseNotFinishedError, WorkerStateError } from '@kcl/core';
import { localDynamoClient, randomName, useDynalite } from '@kcl/testbed';
import { DynamoCheckpoint } from '../src';
import { closeAll, openCheckpointer, testConfig } from './helpers';

const dynalite = useDynalite();

afterEach(closeAll);

/** Counts the commands sent through `client`, by name. */
function countCommands(client: DynamoDBClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counts.set(context.commandName as string, (counts.get(context.commandName as string) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return counts;
}

test('an injected client is used (config endpoint ignored) and is not destroyed by close()', async () => {
  const client = localDynamoClient(dynalite.endpoint());
  const counts = countCommands(client);
  const tableName = randomName('inject');
  // The config points nowhere: only the injected client can succeed.
  const checkpointer = new DynamoCheckpoint(testConfig('http://127.0.0.1:1', { tableName })).withDynamoDB(client);
  await checkpointer.init();
  await takeOrRenewLease(checkpointer, createShardStatus('s-1'), 'worker-a');
  expect(counts.get('UpdateItemCommand')).toBe(1);
  await checkpointer.close();
  await checkpointer.close(); // idempotent
  // Still usable by its owner.
  const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
  expect(out.Table?.TableStatus).toBe('ACTIVE');
  await expect(checkpointer.listLeases()).rejects.toBeInstanceOf(WorkerStateError);
  client.destroy();
});

test('messages for an injected client name its endpoint', async () => {
  const client = localDynamoClient('http://127.0.0.1:1', { maxAttempts: 1 });
  const checkpointer = new DynamoCheckpoint(testConfig(dynalite.endpoint())).withDynamoDB(client);
  await expect(checkpointer.init()).rejects.toThrow('Cannot reach DynamoDB at http://127.0.0.1:1');
  client.destroy();
});

test('close() destroys the client it created; init() afterwards reconnects', async () => {
  const tableName = randomName('own');
  const checkpointer = await openCheckpointer(dynalite.endpoint(), { tableName });
  await takeOrRenewLease(checkpointer, createShardStatus('s-1'), 'worker-a');
  await checkpointer.close();
  await expect(checkpointer.getLeaseOwner('s-1')).rejects.toBeInstanceOf(WorkerStateError);
  await checkpointer.init();
  expect(await checkpointer.getLeaseOwner('s-1')).toBe('worker-a');
});

test('listLeases and listActiveWorkers read every page', async () => {
  const client = localDynamoClient(dynalite.endpoint());
  const counts = countCommands(client);
  const tableName = randomName('pages');
  const checkpointer = new DynamoCheckpoint(testConfig(dynalite.endpoint(), { tableName }), { scanPageSize: 3 }).withDynamoDB(client);
  await checkpointer.init();
  const ids = Array.from({ length: 11 }, (_, i) => `shardId-${String(i).padStart(12, '0')}`);
  for (const id of ids) await takeOrRenewLease(checkpointer, createShardStatus(id), id.endsWith('1') ? 'worker-b' : 'worker-a');

  const leases = await checkpointer.listLeases();
  expect(leases.map((l) => l.id).sort()).toEqual(ids);
  expect(counts.get('ScanCommand')).toBeGreaterThanOrEqual(4); // 11 rows / 3 per page

  const workers = await checkpointer.listActiveWorkers(new Map());
  expect(workers.get('worker-a')).toHaveLength(10);
  expect(workers.get('worker-b')?.map((s) => s.id)).toEqual(['shardId-000000000001']);
  await checkpointer.close();
  client.destroy();
});

describe('when the server returns the current row with a failed condition (ALL_OLD, as DynamoDB does)', () => {
  /**
   * A client whose failed conditional writes carry the stored row, as real DynamoDB returns it for
   * ReturnValuesOnConditionCheckFailure=ALL_OLD (dynalite accepts the parameter but returns no item).
   */
  function allOldClient(tableName: string): { client: DynamoDBClient; counts: Map<string, number> } {
    const client = localDynamoClient(dynalite.endpoint());
    const counts = countCommands(client);
    client.middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          const input = args.input as { Key?: Record<string, unknown>; ReturnValuesOnConditionCheckFailure?: string };
          if ((error as Error).name === 'ConditionalCheckFailedException' && input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && input.Key) {
            const out = await dynalite.client().send(new GetItemCommand({ TableName: tableName, Key: input.Key as never, ConsistentRead: true }));
            (error as { Item?: unknown }).Item = out.Item;
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'allOld' },
    );
    return { client, counts };
  }

  test('conflicts are classified from the returned row, without an extra GetItem', async () => {
    const tableName = randomName('allold');
    const { client, counts } = allOldClient(tableName);
    const a = new DynamoCheckpoint(testConfig(dynalite.endpoint(), { tableName, workerId: 'worker-a' })).withDynamoDB(client);
    const b = await openCheckpointer(dynalite.endpoint(), { tableName, workerId: 'worker-b' });
    try {
      await a.init();
      const mine = createShardStatus('s-1');
      await takeOrRenewLease(a, mine, 'worker-a');
      await takeOrRenewLease(b, (await b.listLeases())[0]!, 'worker-b');

      await expect(takeOrRenewLease(a, mine, 'worker-a')).rejects.toThrow(/now held by worker-b/);
      mine.checkpoint = '5';
      await expect(a.checkpointSequence(mine)).rejects.toBeInstanceOf(LeaseLostError);
      await expect(takeOrRenewLease(a, createShardStatus('s-1'), 'worker-a')).rejects.toThrow(/counter is 2, not the observed 0; held by worker-b/);
      await expect(a.removeLeaseOwner('s-1', mine.leaseToken!)).rejects.toThrow(/held by worker-b/);
      const ahead = createShardStatus('s-2');
      await takeOrRenewLease(a, ahead, 'worker-a');
      ahead.checkpoint = '200';
      await a.checkpointSequence(ahead);
      ahead.checkpoint = '5';
      const order = await a.checkpointSequence(ahead).catch((e: unknown) => e);
      expect(order).toBeInstanceOf(CheckpointOrderError);
      expect(order).toMatchObject({ stored: '200', attempted: '5' });
      await expect(a.removeLeaseInfo('s-2')).rejects.toBeInstanceOf(LeaseNotFinishedError);
      // Coordination: the same classification from the returned row.
      await expect(a.transferLease('s-2', 'stale', 'worker-a', 'worker-b')).rejects.toThrow(/re-taken since/);
      await expect(a.transferLease('s-1', mine.leaseToken!, 'worker-a', 'worker-b')).rejects.toThrow(/held by worker-b/);
      const leader = await b.takeCoordinatorLease('worker-b', 0);
      await expect(a.takeCoordinatorLease('worker-a', 0)).rejects.toThrow(/counter is 1 \(held by worker-b\), caller observed 0/);
      await expect(a.renewCoordinatorLease('worker-a', leader.leaseToken!)).rejects.toThrow(/held by worker-b/);
      await b.releaseCoordinatorLease('worker-b', leader.leaseToken!);
      await a.releaseCoordinatorLease('worker-a', 'any'); // unowned: a no-op
      expect(counts.get('GetItemCommand')).toBeUndefined();
      await expect(a.claimShard(createShardStatus('s-1', { assignedTo: 'worker-z' }), 'worker-a')).rejects.toBeInstanceOf(LeaseNotAcquiredError);
    } finally {
      await a.close();
      client.destroy();
    }
  });

  test('without the returned row (emulators), the conflict is classified by one GetItem after the failed write', async () => {
    const tableName = randomName('noallold');
    const client = localDynamoClient(dynalite.endpoint());
    const counts = countCommands(client);
    const a = new DynamoCheckpoint(testConfig(dynalite.endpoint(), { tableName, workerId: 'worker-a' })).withDynamoDB(client);
    try {
      await a.init();
      await takeOrRenewLease(a, createShardStatus('s-1'), 'worker-a');
      await expect(takeOrRenewLease(a, createShardStatus('s-1'), 'worker-b')).rejects.toThrow(/counter is 1, not the observed 0; held by worker-a/);
      expect(counts.get('GetItemCommand')).toBe(1);
      expect(counts.get('UpdateItemCommand')).toBe(2);
    } finally {
      await a.close();
      client.destroy();
    }
  });
});

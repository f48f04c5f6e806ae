/**
 * `kcl lag` against kinesalite (started by @kcl/testbed): per lease, GetShardIterator at the checkpoint plus one
 * GetRecords with Limit 1, whose MillisBehindLatest is shown. Leases in redis-server.
 */
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { SHARD_END } from '@kcl/core';
import { createTestStream, localKinesisClient, startKinesalite, type LocalServer } from '@kcl/testbed';
import type { LagRow } from '../src/commands/lag';
import { EXIT_CODES } from '../src/errors';
import { kcl, useLocalCredentials } from './helpers';
import { redisStore, type RawStore } from './raw-stores';

useLocalCredentials();

let kinesalite: LocalServer;
let kinesis: KinesisClient;
let store: RawStore;

beforeAll(async () => {
  [kinesalite, store] = await Promise.all([startKinesalite(), redisStore()]);
  kinesis = localKinesisClient(kinesalite.endpoint);
});
afterAll(async () => {
  kinesis.destroy();
  await Promise.all([kinesalite.stop(), store.stop()]);
});

/** Puts `count` records on the stream's only shard, one call each; returns their sequence numbers. */
async function put(stream: string, count: number): Promise<string[]> {
  const sequenceNumbers: string[] = [];
  for (let i = 0; i < count; i++) {
    const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: [{ Data: Buffer.from(`r${i}`), PartitionKey: 'pk' }] }));
    sequenceNumbers.push(out.Records?.[0]?.SequenceNumber as string);
    await new Promise((r) => setTimeout(r, 30));
  }
  return sequenceNumbers;
}

test('lag per lease: behind at an old checkpoint, 0 when caught up, none for SHARD_END; JSON and table', async () => {
  const stream = await createTestStream(kinesis, { shardCount: 1 });
  const seqs = await put(stream, 5);
  const table = await store.newTable();
  const args = [...store.args(table, stream), '--region', 'us-east-1', '--kinesis-endpoint', kinesalite.endpoint];

  await store.put(table, { shardId: 'shardId-000000000000', owner: 'w-a', token: 't', counter: 1, checkpoint: seqs[4] });
  await store.put(table, { shardId: 'shardId-000000000009', checkpoint: SHARD_END, counter: 2 });
  const caughtUp = await kcl(['lag', ...args, '--json']);
  expect(caughtUp.code).toBe(EXIT_CODES.ok);
  const rows = JSON.parse(caughtUp.out) as LagRow[];
  expect(rows[0]).toMatchObject({ shardId: 'shardId-000000000000', millisBehindLatest: 0, lagError: null });
  expect(rows[1]).toMatchObject({ shardId: 'shardId-000000000009', millisBehindLatest: null, lagError: null, shardEnd: true });

  await store.put(table, { shardId: 'shardId-000000000000', owner: 'w-a', token: 't', counter: 1, checkpoint: seqs[0] });
  const behind = JSON.parse((await kcl(['lag', ...args, '--json'])).out) as LagRow[];
  expect(behind[0]!.millisBehindLatest).toEqual(expect.any(Number));
  expect(behind[0]!.lagError).toBeNull();

  const text = await kcl(['lag', ...args]);
  expect(text.code).toBe(0);
  expect(text.out.split('\n')[0]).toMatch(/SHARD_END\s+LAG$/);
  expect(text.out.split('\n')[1]).toMatch(/ \d+ ms$/);
});

test('a shard Kinesis does not know gets an error for its row and exit code 1', async () => {
  const stream = await createTestStream(kinesis, { shardCount: 1 });
  const table = await store.newTable();
  await store.put(table, { shardId: 'shardId-000000000000', counter: 0 });
  await store.put(table, { shardId: 'shardId-000000000042', counter: 0, checkpoint: '49590338271490256608559692538361571095921575989136588898' });
  const run = await kcl(['lag', ...store.args(table, stream), '--region', 'us-east-1', '--kinesis-endpoint', kinesalite.endpoint, '--json']);
  expect(run.code).toBe(EXIT_CODES.failed);
  const rows = JSON.parse(run.out) as LagRow[];
  expect(rows[0]).toMatchObject({ shardId: 'shardId-000000000000', lagError: null });
  expect(rows[0]!.millisBehindLatest).toEqual(expect.any(Number));
  expect(rows[1]!.millisBehindLatest).toBeNull();
  expect(rows[1]!.lagError).toMatch(/\w+/);
});

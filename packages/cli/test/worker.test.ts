/**
 * The CLI next to a real @kcl/core Worker (kinesalite + dynalite from @kcl/testbed, DynamoDB lease store): `release`
 * and `reset` refuse while the worker renews its lease; `reset --force --to TRIM_HORIZON` takes the lease from it (the
 * worker sees it lost), and the worker takes it again and processes the shard again from the oldest record.
 */
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoCheckpoint } from '@kcl/checkpoint-dynamodb';
import { InitialPositionInStream, KinesisClientLibConfig, NOOP_LOGGER, Worker, type RecordProcessor } from '@kcl/core';
import {
  createTestStream,
  localDynamoClient,
  localKinesisClient,
  randomName,
  startDynalite,
  startKinesalite,
  waitFor,
  type LocalServer,
} from '@kcl/testbed';
import { EXIT_CODES } from '../src/errors';
import { kcl, useLocalCredentials } from './helpers';

useLocalCredentials();

let kinesalite: LocalServer;
let dynalite: LocalServer;
let kinesis: KinesisClient;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  [kinesalite, dynalite] = await Promise.all([startKinesalite(), startDynalite()]);
  kinesis = localKinesisClient(kinesalite.endpoint);
  dynamo = localDynamoClient(dynalite.endpoint);
});
afterAll(async () => {
  kinesis.destroy();
  dynamo.destroy();
  await Promise.all([kinesalite.stop(), dynalite.stop()]);
});

test('reset --force --to TRIM_HORIZON makes a running worker process the shard again; without --force it refuses', async () => {
  const stream = await createTestStream(kinesis, { shardCount: 1 });
  await kinesis.send(
    new PutRecordsCommand({ StreamName: stream, Records: Array.from({ length: 5 }, (_, i) => ({ Data: Buffer.from(`r${i}`), PartitionKey: 'pk' })) }),
  );
  const app = randomName('cli-app');
  const config = new KinesisClientLibConfig(app, stream, 'us-east-1', 'w-real')
    .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
    .withFailoverTimeMillis(1_000)
    .withLeaseRefreshPeriodMillis(200)
    .withIdleTimeBetweenReadsInMillis(50)
    .withStatusLogIntervalMillis(0)
    .withLogger(NOOP_LOGGER);
  const delivered: string[] = [];
  const processor: RecordProcessor = {
    processRecords: async (input) => {
      for (const r of input.records) delivered.push(r.sequenceNumber);
      if (input.records.length > 0) await input.checkpointer.checkpoint();
    },
  };
  const worker = new Worker({ createProcessor: () => processor }, config)
    .withKinesis(kinesis)
    .withCheckpointer(new DynamoCheckpoint(config).withDynamoDB(dynamo));
  const lost: string[] = [];
  worker.on('leaseLost', ({ reason }) => lost.push(reason));
  await worker.start();
  try {
    await waitFor(() => delivered.length >= 5, 'the five records', 10_000);
    const args = ['--app', app, '--stream', stream, '--endpoint', dynalite.endpoint, '--region', 'us-east-1', '--shard', 'shardId-000000000000'];

    const release = await kcl(['release', ...args, '--failover-ms', '1500']);
    expect(release.code).toBe(EXIT_CODES.failed);
    expect(release.err).toContain('held by live worker w-real');
    const reset = await kcl(['reset', ...args, '--to', 'TRIM_HORIZON', '--failover-ms', '1500']);
    expect(reset.code).toBe(EXIT_CODES.failed);
    expect(worker.heldShards()).toEqual(['shardId-000000000000']);

    const forced = await kcl(['reset', ...args, '--to', 'TRIM_HORIZON', '--failover-ms', '1500', '--force']);
    expect(forced.code).toBe(EXIT_CODES.ok);
    await waitFor(() => lost.includes('taken'), 'the worker to see its lease lost', 10_000);
    await waitFor(() => delivered.length >= 10, 'the shard processed again from TRIM_HORIZON', 15_000);
    expect(delivered.slice(5, 10)).toEqual(delivered.slice(0, 5));
  } finally {
    await worker.shutdown();
  }
});

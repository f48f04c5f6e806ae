/**
 * Workers with enhanced fan-out on kinesis-local, end to end: the Worker registers the stream consumer once at
 * start(), subscribes to every shard it leases (through the client it builds itself for an http:// endpoint: HTTP/1.1
 * event streams), delivers every record in order, and a second worker resumes after the first one's checkpoints.
 */
import { trackUnhandledRejections } from './helpers/worker-harness';
import { DescribeStreamConsumerCommand, ListStreamConsumersCommand } from '@aws-sdk/client-kinesis';
import { createTestStream, LOCAL_CREDENTIALS } from '@kcl/testbed';
import { InitialPositionInStream } from '../src/config/initial-position';
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import { KinesisError } from '../src/errors';
import type {
  InitializationInput,
  KinesisClientRecord,
  ProcessRecordsInput,
  RecordProcessor,
  RecordProcessorFactory,
  ShutdownInput,
} from '../src/processor/record-processor';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../src/testing';
import { Worker } from '../src/worker/worker';
import { waitFor } from './helpers/consumer-harness';
import { putRecords, payloads, text } from './helpers/consumer-kinesis';
import { RecordingLogger } from './helpers/consumer-recorders';
import { startKinesisLocalFixture, streamArn, type KinesisLocalFixture } from './helpers/fanout-harness';

let fx: KinesisLocalFixture;
const workers: Worker[] = [];

beforeAll(async () => {
  fx = await startKinesisLocalFixture();
});
const rejections = trackUnhandledRejections();
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.shutdown()));
  expect(rejections.errors).toEqual([]);
});
afterAll(async () => {
  rejections.dispose();
  await fx.stop();
});

/** Records every delivery per shard; checkpoints after each batch and at shutdown (REQUESTED). */
class Ledger implements RecordProcessorFactory {
  readonly delivered = new Map<string, KinesisClientRecord[]>();
  readonly shutdowns: ShutdownReason[] = [];

  get total(): number {
    return [...this.delivered.values()].reduce((sum, records) => sum + records.length, 0);
  }

  createProcessor(): RecordProcessor {
    let shardId = '';
    return {
      initialize: (input: InitializationInput) => {
        shardId = input.shardId;
      },
      processRecords: async (input: ProcessRecordsInput) => {
        const list = this.delivered.get(shardId) ?? [];
        list.push(...input.records);
        this.delivered.set(shardId, list);
        if (input.records.length > 0) await input.checkpointer.checkpoint();
      },
      shutdown: async (input: ShutdownInput) => {
        this.shutdowns.push(input.shutdownReason);
        if (input.shutdownReason === ShutdownReason.REQUESTED) await input.checkpointer.checkpoint();
      },
    };
  }
}

function fanOutConfig(stream: string, workerId: string): KinesisClientLibConfig {
  return new KinesisClientLibConfig('fanout-app', stream, 'us-east-1', workerId)
    .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
    .withEnhancedFanOutConsumer(true)
    .withKinesisEndpoint(fx.server.endpoint)
    .withKinesisCredentials(LOCAL_CREDENTIALS)
    .withFailoverTimeMillis(2_000)
    .withLeaseRefreshPeriodMillis(500)
    .withTaskBackoffTimeMillis(50)
    .withShutdownGraceMillis(5_000)
    .withLogger(new RecordingLogger());
}

function startWorker(table: InMemoryLeaseTable, config: KinesisClientLibConfig, ledger: Ledger): Worker {
  const store = new InMemoryCheckpointer(table, { workerId: config.workerId, failoverTimeMillis: config.failoverTimeMillis });
  const worker = new Worker(ledger, config).withCheckpointer(store);
  workers.push(worker);
  return worker;
}

test('a fan-out worker consumes a 2-shard stream end to end; the next worker resumes after its checkpoints', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
  const first = payloads(30, 'a');
  const keys = (i: number): string => `key-${i % 7}`;
  const put = [];
  for (let i = 0; i < first.length; i++) put.push(...(await putRecords(fx.kinesis, stream, [first[i]!], keys(i))));
  expect(new Set(put.map((p) => p.shardId)).size).toBe(2);

  const table = new InMemoryLeaseTable();
  const ledger = new Ledger();
  const worker = startWorker(table, fanOutConfig(stream, 'w1'), ledger);
  await worker.start();
  expect(worker.heldShards()).toHaveLength(2);
  // The consumer was registered once, under the application name, and is ACTIVE.
  const consumers = await fx.kinesis.send(new ListStreamConsumersCommand({ StreamARN: await streamArn(fx.kinesis, stream) }));
  expect(consumers.Consumers?.map((c) => [c.ConsumerName, c.ConsumerStatus])).toEqual([['fanout-app', 'ACTIVE']]);

  await waitFor(() => ledger.total >= 30, '30 records', 15_000);
  for (const [shardId, records] of ledger.delivered) {
    const expected = put.filter((p) => p.shardId === shardId).map((p) => p.sequenceNumber);
    expect(records.map((r) => r.sequenceNumber)).toEqual(expected);
  }
  await worker.shutdown();
  expect(ledger.shutdowns).toEqual([ShutdownReason.REQUESTED, ShutdownReason.REQUESTED]);

  // A second worker (same application: the existing consumer is reused) continues after the checkpoints.
  const more = payloads(10, 'b');
  for (let i = 0; i < more.length; i++) await putRecords(fx.kinesis, stream, [more[i]!], keys(i));
  const next = new Ledger();
  const second = startWorker(table, fanOutConfig(stream, 'w2'), next);
  await second.start();
  await waitFor(() => next.total >= 10, '10 new records', 20_000);
  const got = [...next.delivered.values()].flat().map((r) => text(r.data));
  expect(got.sort()).toEqual([...more].sort());
  const after = await fx.kinesis.send(new ListStreamConsumersCommand({ StreamARN: await streamArn(fx.kinesis, stream) }));
  expect(after.Consumers).toHaveLength(1);
});

test('start() fails with a KinesisError when the given consumer ARN does not exist', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
  const arn = `${await streamArn(fx.kinesis, stream)}/consumer/missing:1700000000`;
  const worker = startWorker(new InMemoryLeaseTable(), fanOutConfig(stream, 'w1').withEnhancedFanOutConsumerARN(arn), new Ledger());
  const error = await worker.start().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KinesisError);
  expect((error as Error).message).toContain(arn);
  expect(worker.heldShards()).toEqual([]);
  const described = await fx.kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn })).then(
    () => 'found',
    (e: unknown) => (e as Error).name,
  );
  expect(described).toBe('ResourceNotFoundException');
});

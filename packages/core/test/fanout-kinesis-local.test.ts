/**
 * The enhanced fan-out consumer against kinesis-local (SubscribeToShard over HTTP/1.1, events about every second):
 * registration, in-order delivery, resume after a checkpoint, re-subscription from the continuation sequence number,
 * processor failures and lease loss.
 */
import { trackUnhandledRejections } from './helpers/worker-harness';
import { DescribeStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import { createTestStream, localKinesisClient, randomName } from '@kcl/testbed';
import { performance } from 'node:perf_hooks';
import { registerStreamConsumer } from '../src/consumers/stream-consumer-registration';
import { AbortedError, KinesisError } from '../src/errors';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { waitFor } from './helpers/consumer-harness';
import { putRecords, payloads, text } from './helpers/consumer-kinesis';
import { takeTestLease, storedLease } from './helpers/consumer-lease';
import { RecordingLogger, RecordingProcessor } from './helpers/consumer-recorders';
import {
  endSubscriptionsEarly,
  registerTestConsumer,
  runFanOutConsumer,
  startKinesisLocalFixture,
  stopAllFanOutRuns,
  streamArn,
  type KinesisLocalFixture,
} from './helpers/fanout-harness';

let fx: KinesisLocalFixture;

beforeAll(async () => {
  fx = await startKinesisLocalFixture();
});
const rejections = trackUnhandledRejections();
afterEach(async () => {
  await stopAllFanOutRuns();
  expect(rejections.errors).toEqual([]);
});
afterAll(async () => {
  rejections.dispose();
  await fx.stop();
});

/** A stream with one shard and a registered consumer. */
async function streamWithConsumer(): Promise<{ stream: string; consumerArn: string }> {
  const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
  return { stream, consumerArn: await registerTestConsumer(fx.kinesis, stream) };
}

describe('registration', () => {
  test('registers a new consumer, finds an existing one by name (ResourceInUse), and checks a given ARN', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const logger = new RecordingLogger();
    const name = randomName('app');
    const registered = await registerStreamConsumer({ kinesis: fx.kinesis, streamName: stream, consumerName: name, logger, pollBaseMs: 10 });
    expect(registered).toMatch(new RegExp(`^arn:aws:kinesis:us-east-1:\\d{12}:stream/${stream}/consumer/${name}:\\d+$`));
    const described = await fx.kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: registered }));
    expect(described.ConsumerDescription?.ConsumerStatus).toBe('ACTIVE');
    expect(logger.lines.some((l) => l.message === 'Registered enhanced fan-out consumer')).toBe(true);

    // A second worker of the same application: RegisterStreamConsumer fails with ResourceInUse -> same consumer.
    const second = new RecordingLogger();
    const again = await registerStreamConsumer({ kinesis: fx.kinesis, streamName: stream, consumerName: name, logger: second, pollBaseMs: 10 });
    expect(again).toBe(registered);
    expect(second.lines.some((l) => l.message.includes('already registered'))).toBe(true);
    expect(second.lines.some((l) => l.message === 'Registered enhanced fan-out consumer')).toBe(false);

    const given = await registerStreamConsumer({
      kinesis: fx.kinesis,
      streamName: stream,
      consumerName: 'ignored',
      consumerArn: registered,
      logger: new RecordingLogger(),
    });
    expect(given).toBe(registered);
  });

  test('a given ARN that does not exist, or a missing stream, is a KinesisError naming it; an abort stops it', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const arn = `${await streamArn(fx.kinesis, stream)}/consumer/nobody:1700000000`;
    const missing = await registerStreamConsumer({
      kinesis: fx.kinesis,
      streamName: stream,
      consumerName: 'x',
      consumerArn: arn,
      logger: new RecordingLogger(),
    }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(KinesisError);
    expect((missing as Error).message).toContain(arn);

    const noStream = await registerStreamConsumer({
      kinesis: fx.kinesis,
      streamName: 'no-such-stream',
      consumerName: 'x',
      logger: new RecordingLogger(),
    }).catch((e: unknown) => e);
    expect(noStream).toBeInstanceOf(KinesisError);
    expect((noStream as Error).message).toMatch(/DescribeStreamSummary.*no-such-stream.*ResourceNotFound/);

    const aborted = await registerStreamConsumer({
      kinesis: fx.kinesis,
      streamName: stream,
      consumerName: 'x',
      logger: new RecordingLogger(),
      signal: AbortSignal.abort(),
    }).catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(AbortedError);
  });
});

describe('consuming', () => {
  test('delivers every record in order with MillisBehindLatest, from TRIM_HORIZON', async () => {
    const { stream, consumerArn } = await streamWithConsumer();
    const put = await putRecords(fx.kinesis, stream, payloads(30));
    const run = await runFanOutConsumer({ kinesis: fx.kinesis, consumerArn, streamName: stream });
    await waitFor(() => run.processor.processed.length >= 30, '30 records');
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(payloads(30));
    expect(run.processor.processed.map((r) => r.sequenceNumber)).toEqual(put.map((p) => p.sequenceNumber));
    expect(run.monitoring.millisBehind.length).toBeGreaterThan(0);
    expect(run.monitoring.recordsProcessed).toBe(30);

    // Records put while subscribed arrive on the open subscription.
    await putRecords(fx.kinesis, stream, payloads(5, 'late'));
    await waitFor(() => run.processor.processed.length >= 35, '5 late records');
    expect(run.processor.processed.slice(30).map((r) => text(r.data))).toEqual(payloads(5, 'late'));

    const started = performance.now();
    run.shutdown.abort();
    const result = await run.result;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result.reason).toBe(ShutdownReason.REQUESTED);
    // The processor checkpointed at shutdown: the last record.
    expect((await storedLease(run.table, 'shardId-000000000000'))?.checkpoint).toBe(run.processor.processed[34]?.sequenceNumber);
  });

  test('resumes after the stored checkpoint', async () => {
    const { stream, consumerArn } = await streamWithConsumer();
    const put = await putRecords(fx.kinesis, stream, payloads(20));
    const lease = await takeTestLease('shardId-000000000000', { init: { checkpoint: put[11]!.sequenceNumber } });
    const run = await runFanOutConsumer({ kinesis: fx.kinesis, consumerArn, streamName: stream, lease });
    await waitFor(() => run.processor.processed.length >= 8, 'records after the checkpoint');
    await new Promise((r) => setTimeout(r, 300));
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(payloads(20).slice(12));
    expect(run.processor.initializations[0]?.extendedSequenceNumber?.sequenceNumber).toBe(put[11]!.sequenceNumber);
  });

  test('re-subscribes from the continuation sequence number when the server ends the stream: no duplicates, no gaps', async () => {
    const { stream, consumerArn } = await streamWithConsumer();
    const client = localKinesisClient(fx.server.endpoint, { maxAttempts: 1 });
    const seen = endSubscriptionsEarly(client, 1);
    try {
      const first = await putRecords(fx.kinesis, stream, payloads(10, 'first'));
      const run = await runFanOutConsumer({ kinesis: client, consumerArn, streamName: stream });
      await waitFor(() => run.processor.processed.length >= 10, 'first records');
      // Put while the first subscription is gone and the next one not yet open (kinesis-local holds the dropped one for
      // ~3 s, answering ResourceInUse meanwhile): these must come through the next subscription, none skipped.
      await putRecords(fx.kinesis, stream, payloads(10, 'second'));
      await waitFor(() => run.processor.processed.length >= 20, 'second records', 15_000);
      await new Promise((r) => setTimeout(r, 200));
      expect(run.processor.processed.map((r) => text(r.data))).toEqual([...payloads(10, 'first'), ...payloads(10, 'second')]);
      // The re-subscription continued AFTER the continuation number of the first event (its last record).
      expect(seen.positions.length).toBeGreaterThanOrEqual(2);
      expect(seen.positions[0]).toEqual({ Type: 'TRIM_HORIZON' });
      const lastFirst = first[first.length - 1]!.sequenceNumber;
      expect(seen.positions[1]).toEqual({ Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: lastFirst });
      // (Later ones - retries after ResourceInUse, or after the second event - never go backwards.)
      for (const p of seen.positions.slice(2)) {
        expect(p.Type).toBe('AFTER_SEQUENCE_NUMBER');
        expect(BigInt(p.SequenceNumber!) >= BigInt(lastFirst)).toBe(true);
      }
      // Until kinesis-local notices the dropped connection, re-subscribing fails with ResourceInUse: backed off.
      expect(run.events.errorNames('SubscribeToShard')).toContain('ResourceInUseException');
      expect(new Set(run.events.errorNames())).toEqual(new Set(['ResourceInUseException']));
    } finally {
      await stopAllFanOutRuns();
      client.destroy();
    }
  });

  test('a processRecords that throws gets the same batch again after taskBackoffTimeMillis', async () => {
    const { stream, consumerArn } = await streamWithConsumer();
    await putRecords(fx.kinesis, stream, payloads(10));
    let failures = 2;
    const processor = new RecordingProcessor({
      processRecords: (input) => {
        if (input.records.length > 0 && failures > 0) {
          failures -= 1;
          throw new Error('processor failure (test)');
        }
      },
    });
    const run = await runFanOutConsumer({ kinesis: fx.kinesis, consumerArn, streamName: stream, processor });
    await waitFor(() => processor.processed.length >= 10, '10 records');
    const withRecords = processor.batches.filter((b) => b.length > 0);
    expect(withRecords.length).toBe(3);
    expect(withRecords[1]!.map((r) => r.sequenceNumber)).toEqual(withRecords[0]!.map((r) => r.sequenceNumber));
    expect(withRecords[2]!.map((r) => r.sequenceNumber)).toEqual(withRecords[0]!.map((r) => r.sequenceNumber));
    expect(processor.processed.map((r) => text(r.data))).toEqual(payloads(10));
    expect(run.events.processorErrors.map((e) => e.attempt)).toEqual([1, 2]);
  });

  test('lease lost: the subscription is dropped at once and the processor is shut down with ZOMBIE', async () => {
    const { stream, consumerArn } = await streamWithConsumer();
    await putRecords(fx.kinesis, stream, payloads(5));
    const run = await runFanOutConsumer({ kinesis: fx.kinesis, consumerArn, streamName: stream });
    await waitFor(() => run.processor.processed.length >= 5, '5 records');
    const started = performance.now();
    run.lease.lose();
    const result = await run.result;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result.reason).toBe(ShutdownReason.ZOMBIE);
    expect(run.processor.shutdowns).toEqual([ShutdownReason.ZOMBIE]);

    // The subscription was released: a new consumer of this shard (the next owner) subscribes and reads on.
    await putRecords(fx.kinesis, stream, payloads(3, 'next'));
    const next = await runFanOutConsumer({ kinesis: fx.kinesis, consumerArn, streamName: stream });
    await waitFor(() => next.processor.processed.length >= 8, 'all records on the next owner', 15_000);
    // kinesis-local keeps the dropped subscription open for ~3 s: the next owner backs off on ResourceInUse meanwhile.
    expect(next.events.errorNames('SubscribeToShard')).toContain('ResourceInUseException');
    expect(new Set(next.events.errorNames())).toEqual(new Set(['ResourceInUseException']));
    expect(next.processor.processed.slice(5).map((r) => text(r.data))).toEqual(payloads(3, 'next'));
  });
});

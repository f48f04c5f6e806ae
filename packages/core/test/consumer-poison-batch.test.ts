/**
 * A processor that keeps failing (a "poison" batch), one whose call never returns, and one that never checkpoints,
 * against kinesalite with the polling consumer: growing capped back-off, rate-limited reports, the opt-in failure
 * policy (skip / releaseLease), maxProcessingTimeMillis, and the warning for batches without a checkpoint.
 */
import { createTestStream } from '@kcl/testbed';
import { LeaseLostError } from '../src/errors';
import { processorRetryDelay } from '../src/consumers/processor-failures';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { payloads, putRecords, startKinesisFixture, text } from './helpers/consumer-kinesis';
import { runConsumer, stopAllRuns, stopRun, testConfig, waitFor } from './helpers/consumer-harness';
import { RecordingProcessor } from './helpers/consumer-recorders';
import { useServerFixture } from './helpers/kinesis-fixture';

const fx = useServerFixture(startKinesisFixture);
afterEach(stopAllRuns);

test('processorRetryDelay doubles from the task back-off up to the cap; a cap below the base gives a fixed wait', () => {
  expect([1, 2, 3, 4, 5, 6, 7, 8, 100].map((n) => processorRetryDelay(n, 500, 30_000))).toEqual([
    500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
  ]);
  expect([1, 2, 3].map((n) => processorRetryDelay(n, 500, 100))).toEqual([500, 500, 500]);
  expect(processorRetryDelay(1e9, 1, 86_400_000)).toBe(86_400_000);
});

test('a failing batch: back-off grows to the cap, the stack is logged once, then counts at growing intervals', async () => {
  const stream = await createTestStream(fx.kinesis);
  await putRecords(fx.kinesis, stream, payloads(3));
  let calls = 0;
  const processor = new RecordingProcessor({
    processRecords() {
      calls += 1;
      if (calls <= 9) throw new Error(`poison #${calls}`);
    },
  });
  const config = testConfig(stream).withTaskBackoffTimeMillis(1).withMaxTaskBackoffTimeMillis(8);
  const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor, config });
  await waitFor(() => processor.processed.length === 3, 'the batch after 9 failures');
  await stopRun(run);

  // Every failure is still an event and a metric (the attempt count goes back to 0 on success)...
  expect(run.events.processorErrors.map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(run.monitoring.failingAttempts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 0]);
  // ...but processorFailing and the log follow 1, 2, 4, 8 with the growing, capped wait.
  expect(run.events.failing.map((e) => [e.operation, e.attempts, e.retryInMillis, (e.error as Error).message])).toEqual([
    ['processRecords', 1, 1, 'poison #1'],
    ['processRecords', 2, 2, 'poison #2'],
    ['processRecords', 4, 8, 'poison #4'],
    ['processRecords', 8, 8, 'poison #8'],
  ]);
  const processorLines = (level: 'error' | 'warn') => run.logger.at(level).filter((l) => l.fields['operation'] === 'processRecords');
  expect(processorLines('error')).toHaveLength(1);
  expect(processorLines('error')[0]!.fields['error']).toBeInstanceOf(Error); // the full error, stack included
  expect(processorLines('warn').map((l) => l.fields['attempt'])).toEqual([2, 4, 8]);
  expect(processorLines('warn')[2]!.message).toMatch(/still failing: 8 failed calls .*next in 8 ms: Error: poison #8/);
  expect(typeof processorLines('warn')[0]!.fields['error']).toBe('string'); // message only, no stack
  expect(run.logger.at('info').some((l) => /processRecords\(\) succeeded after 9 failed calls/.test(l.message))).toBe(true);
});

test('initialize() retries use the same growing back-off and rate-limited reports', async () => {
  const stream = await createTestStream(fx.kinesis);
  await putRecords(fx.kinesis, stream, payloads(1));
  let calls = 0;
  const processor = new RecordingProcessor({
    initialize() {
      calls += 1;
      if (calls <= 4) throw new Error('init fails');
    },
  });
  const config = testConfig(stream).withTaskBackoffTimeMillis(2).withMaxTaskBackoffTimeMillis(5);
  const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor, config });
  await waitFor(() => processor.processed.length === 1, 'the record after initialize succeeded');
  await stopRun(run);

  expect(run.events.failing.map((e) => [e.operation, e.attempts, e.retryInMillis])).toEqual([
    ['initialize', 1, 2],
    ['initialize', 2, 4],
    ['initialize', 4, 5],
  ]);
  expect(run.logger.at('error').filter((l) => l.fields['operation'] === 'initialize')).toHaveLength(1);
  expect(run.monitoring.failingAttempts).toEqual([1, 2, 3, 4, 0]);
});

describe('processorFailurePolicy', () => {
  test('skip: after maxAttempts the batch is passed over, reported with its records and range, and checkpoint() covers it', async () => {
    const stream = await createTestStream(fx.kinesis);
    const put = await putRecords(fx.kinesis, stream, payloads(4));
    const processor = new RecordingProcessor({
      processRecords(input) {
        if (input.records.some((r) => text(r.data) === 'r-2')) throw new Error('poison record r-2');
      },
    });
    const config = testConfig(stream).withMaxRecords(2).withTaskBackoffTimeMillis(1).withProcessorFailurePolicy({ action: 'skip', maxAttempts: 3 });
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor, config });
    await waitFor(() => run.events.skipped.length === 1, 'the skipped batch');
    const result = await stopRun(run); // shutdown(REQUESTED) calls checkpoint()

    const [skipped] = run.events.skipped;
    expect(skipped!.attempts).toBe(3);
    expect((skipped!.error as Error).message).toBe('poison record r-2');
    expect(skipped!.records.map((r) => text(r.data))).toEqual(['r-2', 'r-3']);
    expect(skipped!.first).toEqual({ sequenceNumber: put[2]!.sequenceNumber });
    expect(skipped!.last).toEqual({ sequenceNumber: put[3]!.sequenceNumber });
    expect(processor.batches).toHaveLength(4); // one success, three failures
    expect(processor.processed.map((r) => text(r.data))).toEqual(['r-0', 'r-1']);
    expect(run.events.processorErrors.map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(run.monitoring.skippedBatches).toEqual([2]);
    expect(run.monitoring.failingAttempts).toEqual([1, 2, 3, 0]);
    expect(run.logger.at('error').some((l) => /failed 3 times with the same batch: skipping it/.test(l.message))).toBe(true);
    expect(result.reason).toBe(ShutdownReason.REQUESTED);
    expect(processor.shutdownCheckpointError).toBeUndefined();
    expect(run.lease.shard.checkpoint).toBe(put[3]!.sequenceNumber);
  });

  test('releaseLease: after maxAttempts shutdown(REQUESTED) without covering the failed batch, and the lease is released', async () => {
    const stream = await createTestStream(fx.kinesis);
    const put = await putRecords(fx.kinesis, stream, payloads(4));
    const processor = new RecordingProcessor({
      processRecords(input) {
        if (input.records.some((r) => text(r.data) === 'r-2')) throw new Error('poison');
      },
    });
    const config = testConfig(stream)
      .withMaxRecords(2)
      .withTaskBackoffTimeMillis(1)
      .withProcessorFailurePolicy({ action: 'releaseLease', maxAttempts: 2 });
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor, config });
    await waitFor(() => processor.shutdowns.length > 0, 'the processor shut down');

    const result = await run.result;

    expect(result).toEqual({ reason: ShutdownReason.REQUESTED, releaseReason: 'failing' });
    expect(processor.shutdowns).toEqual([ShutdownReason.REQUESTED]);
    expect(processor.batches).toHaveLength(3);
    expect(run.events.skipped).toEqual([]);
    expect(run.lease.shard.checkpoint).toBe(put[1]!.sequenceNumber); // the failed batch is not covered
    expect(run.logger.at('error').some((l) => /releasing the lease \(processorFailurePolicy releaseLease\)/.test(l.message))).toBe(true);
  });
});

test('maxProcessingTimeMillis: a call past it gives the lease up, its checkpoints are refused, shutdown(ZOMBIE) once it returns', async () => {
  const stream = await createTestStream(fx.kinesis);
  await putRecords(fx.kinesis, stream, payloads(2));
  let release!: () => void;
  const hanging = new Promise<void>((resolve) => (release = resolve));
  let lateCheckpoint: unknown;
  const processor = new RecordingProcessor({
    async processRecords(input) {
      await hanging;
      lateCheckpoint = await input.checkpointer.checkpoint().then(
        () => 'written',
        (error: unknown) => error,
      );
    },
  });
  const config = testConfig(stream).withLogWarningForTaskAfterMillis(100).withMaxProcessingTimeMillis(250);
  const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor, config });
  await waitFor(() => run.givenUp.length > 0, 'the lease given up');

  expect(run.givenUp).toEqual(['stuck']);
  expect(processor.shutdowns).toEqual([]); // the call is still running: nothing else is called meanwhile
  expect(run.logger.at('error').some((l) => /has not returned after \d+ ms \(maxProcessingTimeMillis\): giving the lease up/.test(l.message))).toBe(
    true,
  );
  release();
  const result = await run.result;

  expect(result.reason).toBe(ShutdownReason.ZOMBIE);
  expect(processor.shutdowns).toEqual([ShutdownReason.ZOMBIE]);
  expect(lateCheckpoint).toBeInstanceOf(LeaseLostError);
  expect(run.lease.shard.checkpoint).toBeUndefined();
});

test('warnAfterBatchesWithoutCheckpoint: one warning per lease for a processor that never checkpoints, none for one that does', async () => {
  const stream = await createTestStream(fx.kinesis);
  await putRecords(fx.kinesis, stream, payloads(6));
  const warning = /returned 3 batches in a row without a checkpoint/;
  const config = () => testConfig(stream).withMaxRecords(1).withWarnAfterBatchesWithoutCheckpoint(3);

  const never = await runConsumer({ kinesis: fx.kinesis, streamName: stream, config: config() });
  await waitFor(() => never.processor.processed.length === 6, 'six batches');
  await stopRun(never);
  expect(never.logger.at('warn').filter((l) => warning.test(l.message))).toHaveLength(1);

  const checkpointing = new RecordingProcessor({
    async processRecords(input) {
      await input.checkpointer.checkpoint();
    },
  });
  const good = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor: checkpointing, config: config() });
  await waitFor(() => checkpointing.processed.length === 6, 'six batches');
  await stopRun(good);
  expect(good.logger.at('warn').filter((l) => /without a checkpoint/.test(l.message))).toEqual([]);
});

/**
 * Polling consumer lifecycle against kinesalite: processor failures, lease loss (ZOMBIE), overdue renewal (simulated
 * pause), graceful shutdown and hand-off (REQUESTED).
 */
import { getEventListeners } from 'node:events';
import { createTestStream } from '@kcl/testbed';
import { LeaseLostError } from '../src/errors';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { stealLease } from './helpers/consumer-lease';
import { newClient, payloads, putRecords, startKinesisFixture, text, trackCalls } from './helpers/consumer-kinesis';
import { runConsumer, stopRun, testConfig, waitFor, stopAllRuns } from './helpers/consumer-harness';
import { RecordingProcessor } from './helpers/consumer-recorders';
import { useServerFixture } from './helpers/kinesis-fixture';

const fx = useServerFixture(startKinesisFixture);
afterEach(stopAllRuns);

/** A promise the test resolves by hand. */
function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('processor failures', () => {
  test('a processRecords that throws gets the same batch again after taskBackoffTimeMillis; nothing is lost', async () => {
    const stream = await createTestStream(fx.kinesis);
    const put = await putRecords(fx.kinesis, stream, payloads(30));
    const callTimes: number[] = [];
    const processor = new RecordingProcessor({
      processRecords() {
        callTimes.push(Date.now());
        if (callTimes.length <= 2) throw new Error(`processor failure #${callTimes.length}`);
      },
    });
    const config = testConfig(stream).withTaskBackoffTimeMillis(150);
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor, config });

    await waitFor(() => run.processor.processed.length >= 30, '30 records');
    await stopRun(run);

    expect(run.processor.batches).toHaveLength(3);
    expect(run.processor.batches[1]).toEqual(run.processor.batches[0]);
    expect(run.processor.batches[2]).toEqual(run.processor.batches[0]);
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(put.map((p) => p.data));
    expect(callTimes[1]! - callTimes[0]!).toBeGreaterThanOrEqual(140);
    expect(callTimes[2]! - callTimes[1]!).toBeGreaterThanOrEqual(140);
    expect(run.events.processorErrors.map((e) => [e.shardId, e.attempt, (e.error as Error).message])).toEqual([
      ['shardId-000000000000', 1, 'processor failure #1'],
      ['shardId-000000000000', 2, 'processor failure #2'],
    ]);
    expect(run.monitoring.processRecordsErrors).toBe(2);
    expect(run.monitoring.recordsProcessed).toBe(30); // counted once, for the successful delivery
    expect(run.lease.shard.checkpoint).toBe(put.at(-1)!.sequenceNumber);
  });

  test('initialize() that throws is retried; shutdown() that throws is reported; the run still ends normally', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(3));
    let initCalls = 0;
    const processor = new RecordingProcessor({
      initialize() {
        initCalls += 1;
        if (initCalls === 1) throw new Error('init failure');
      },
      shutdown() {
        throw new Error('shutdown failure');
      },
    });
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor });

    await waitFor(() => run.processor.processed.length >= 3, '3 records');
    const result = await stopRun(run);

    expect(result).toEqual({ reason: ShutdownReason.REQUESTED });
    expect(initCalls).toBe(2);
    expect(run.events.errors.map((e) => [e.context.operation, (e.error as Error).message])).toEqual([
      ['processor.initialize', 'init failure'],
      ['processor.shutdown', 'shutdown failure'],
    ]);
  });

  test('listeners and metrics that throw do not stop delivery', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(5));
    let failed = false;
    const processor = new RecordingProcessor({
      processRecords() {
        if (!failed) {
          failed = true;
          throw new Error('once');
        }
      },
    });
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor });
    run.events.processorError = () => {
      throw new Error('listener failure');
    };
    run.monitoring.incrRecordsProcessed = () => {
      throw new Error('metrics failure');
    };

    await waitFor(() => run.processor.processed.length >= 5, '5 records');
    expect(await stopRun(run)).toEqual({ reason: ShutdownReason.REQUESTED });
    expect(run.logger.at('warn').map((l) => l.message)).toEqual(
      expect.arrayContaining(['events.processorError threw; ignored', 'monitoring threw; ignored']),
    );
  });
});

describe('lease loss (ZOMBIE)', () => {
  test('lease lost mid-run: shutdown(ZOMBIE), no further delivery, the zombie cannot checkpoint', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(10));
    let zombieCheckpointError: unknown;
    const processor = new RecordingProcessor({
      async shutdown(input) {
        try {
          await input.checkpointer.checkpoint();
        } catch (error) {
          zombieCheckpointError = error;
        }
      },
    });
    const config = testConfig(stream).withIdleTimeBetweenReadsInMillis(5_000);
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor, config });
    await waitFor(() => run.processor.processed.length >= 10, '10 records');

    // Another worker takes the lease; the renewer notices and aborts lostSignal (here: by hand).
    await stealLease(run.table, run.lease.shardId, 'worker-2');
    const lostAt = Date.now();
    run.lease.lose();
    await putRecords(fx.kinesis, stream, payloads(5, 'late'));
    const result = await run.result;

    expect(result).toEqual({ reason: ShutdownReason.ZOMBIE });
    expect(Date.now() - lostAt).toBeLessThan(1_000); // the idle wait of 5 s was cut short
    expect(getEventListeners(run.shutdown.signal, 'abort')).toHaveLength(0); // an ended consumer leaves no listener
    expect(run.processor.shutdowns).toEqual([ShutdownReason.ZOMBIE]);
    expect(zombieCheckpointError).toBeInstanceOf(LeaseLostError);
    expect(run.processor.processed).toHaveLength(10);
    expect(run.table.get(run.lease.shardId)).toMatchObject({ assignedTo: 'worker-2', checkpoint: undefined });

    await new Promise((r) => setTimeout(r, 100));
    expect(run.processor.batches).toHaveLength(1);
  });

  test('a checkpoint rejected by the store (lease taken over) ends the run as ZOMBIE without redelivery', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(20));
    let stolen = false;
    const processor = new RecordingProcessor({
      async processRecords(input) {
        if (!stolen) {
          stolen = true;
          await stealLease(run.table, input.shardId, 'worker-2');
        }
        await input.checkpointer.checkpoint(); // throws LeaseLostError: the processor lets it propagate
      },
    });
    const config = testConfig(stream).withMaxRecords(5);
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor, config });

    expect(await run.result).toEqual({ reason: ShutdownReason.ZOMBIE });
    expect(run.processor.batches).toHaveLength(1);
    expect(run.processor.shutdowns).toEqual([ShutdownReason.ZOMBIE]);
    expect(run.events.processorErrors[0]!.error).toBeInstanceOf(LeaseLostError);
    expect(run.table.get(run.lease.shardId)!.checkpoint).toBeUndefined();
  });

  test('isValid() false (renewal overdue, e.g. after a process pause): no delivery, ZOMBIE', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(20));
    const release = gate();
    const processor = new RecordingProcessor({
      async processRecords() {
        await release.promise;
      },
    });
    const config = testConfig(stream).withMaxRecords(5);
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor, config });
    await waitFor(() => run.processor.batches.length === 1, 'first batch in flight');

    run.lease.valid = false; // lostSignal NOT aborted: only the monotonic-clock check can catch it
    release.open();
    const result = await run.result;

    expect(result).toEqual({ reason: ShutdownReason.ZOMBIE });
    expect(run.processor.batches).toHaveLength(1);
    expect(run.processor.calls).toEqual(['initialize', 'processRecords', 'shutdown:ZOMBIE']);
  });

  test('a lease that is already invalid at start: initialize, then shutdown(ZOMBIE), no GetRecords', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(3));
    const client = newClient(fx);
    const calls = trackCalls(client, 'GetRecordsCommand');
    const run = await runConsumer({ kinesis: client, streamName: stream });
    run.lease.valid = false;

    expect(await run.result).toEqual({ reason: ShutdownReason.ZOMBIE });
    client.destroy();
    expect(run.processor.calls).toEqual(['initialize', 'shutdown:ZOMBIE']);
    expect(calls).toHaveLength(0);
  });
});

describe('graceful stop (REQUESTED)', () => {
  test('shutdown finishes the in-flight batch, then shutdown(REQUESTED) can checkpoint it', async () => {
    const stream = await createTestStream(fx.kinesis);
    const put = await putRecords(fx.kinesis, stream, payloads(20));
    const release = gate();
    const processor = new RecordingProcessor({
      async processRecords() {
        await release.promise;
      },
    });
    const config = testConfig(stream).withMaxRecords(5);
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor, config });
    await waitFor(() => run.processor.batches.length === 1, 'first batch in flight');

    run.shutdown.abort();
    await new Promise((r) => setTimeout(r, 50));
    expect(run.processor.shutdowns).toEqual([]); // still processing
    release.open();
    const result = await run.result;

    expect(result).toEqual({ reason: ShutdownReason.REQUESTED });
    expect(run.processor.calls).toEqual(['initialize', 'processRecords', 'shutdown:REQUESTED']);
    expect(run.processor.shutdownCheckpointError).toBeUndefined();
    expect(run.table.get(run.lease.shardId)!.checkpoint).toBe(put[4]!.sequenceNumber);
  });

  test('shutdown during a long idle wait is prompt', async () => {
    const stream = await createTestStream(fx.kinesis);
    const client = newClient(fx);
    const calls = trackCalls(client, 'GetRecordsCommand');
    const config = testConfig(stream).withIdleTimeBetweenReadsInMillis(30_000);
    const run = await runConsumer({ kinesis: client, streamName: stream, config });
    await waitFor(() => calls.length === 1, 'first GetRecords');
    await new Promise((r) => setTimeout(r, 50));

    const started = Date.now();
    expect(await stopRun(run)).toEqual({ reason: ShutdownReason.REQUESTED });
    client.destroy();
    expect(Date.now() - started).toBeLessThan(500);
  });

  test('a hand-off request (lease stealing) ends the run with REQUESTED after a final checkpoint', async () => {
    const stream = await createTestStream(fx.kinesis);
    const put = await putRecords(fx.kinesis, stream, payloads(8));
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream });
    await waitFor(() => run.processor.processed.length >= 8, '8 records');

    run.lease.handoffRequested = true;
    expect(await run.result).toEqual({ reason: ShutdownReason.REQUESTED });
    expect(run.processor.shutdowns).toEqual([ShutdownReason.REQUESTED]);
    expect(run.table.get(run.lease.shardId)).toMatchObject({ checkpoint: put[7]!.sequenceNumber, assignedTo: 'worker-1' });
  });

  test('run() called twice shares one run', async () => {
    const stream = await createTestStream(fx.kinesis);
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream });
    expect(run.consumer.run()).toBe(run.result);
    run.shutdown.abort();
    expect(await run.result).toEqual({ reason: ShutdownReason.REQUESTED });
    expect(run.processor.calls.filter((c) => c === 'initialize')).toHaveLength(1);
  });
});

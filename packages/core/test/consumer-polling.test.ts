/**
 * Polling consumer against kinesalite: start positions, order, resume, metrics, idle wait and the GetRecords rate
 * limit.
 */
import { GetRecordsCommand } from '@aws-sdk/client-kinesis';
import { createTestStream } from '@kcl/testbed';
import { SHARD_END } from '../src/checkpoint/shard-status';
import { InitialPositionInStream } from '../src/config/initial-position';
import { IDLE_WAIT_JITTER, idleWaitMillis } from '../src/consumers/polling-shard-consumer';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { takeTestLease } from './helpers/consumer-lease';
import { newClient, payloads, putRecords, startKinesisFixture, text, trackCalls } from './helpers/consumer-kinesis';
import { runConsumer, stopRun, testConfig, waitFor, stopAllRuns } from './helpers/consumer-harness';
import { useServerFixture } from './helpers/kinesis-fixture';

const SHARD = 'shardId-000000000000';
const fx = useServerFixture(startKinesisFixture);
afterEach(stopAllRuns);

describe('polling consumer: delivery and start positions', () => {
  test('delivers every record once and in order from TRIM_HORIZON, with metrics, and checkpoints at shutdown', async () => {
    const stream = await createTestStream(fx.kinesis);
    const put = await putRecords(fx.kinesis, stream, payloads(1200));
    const config = testConfig(stream).withMaxRecords(250);
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, config });

    await waitFor(() => run.processor.processed.length >= 1200, '1200 records');
    const result = await stopRun(run);

    expect(result).toEqual({ reason: ShutdownReason.REQUESTED });
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(put.map((p) => p.data));
    expect(run.processor.processed.map((r) => r.sequenceNumber)).toEqual(put.map((p) => p.sequenceNumber));
    expect(run.processor.processed.every((r) => r.partitionKey === 'pk' && !r.aggregated && r.subSequenceNumber === undefined)).toBe(true);
    expect(Math.max(...run.processor.batches.map((b) => b.length))).toBeLessThanOrEqual(250);
    expect(run.processor.calls[0]).toBe('initialize');
    expect(run.processor.calls.at(-1)).toBe('shutdown:REQUESTED');
    expect(run.processor.initializations).toEqual([{ shardId: SHARD, extendedSequenceNumber: undefined }]);
    // The default RecordingProcessor calls checkpoint() at shutdown: the last record delivered.
    expect(run.lease.shard.checkpoint).toBe(put.at(-1)!.sequenceNumber);
    expect((await run.store.listLeases())[0]).toMatchObject({ checkpoint: put.at(-1)!.sequenceNumber, subSequenceNumber: undefined });

    const bytes = put.reduce((sum, p) => sum + Buffer.byteLength(p.data), 0);
    expect(run.monitoring.recordsProcessed).toBe(1200);
    expect(run.monitoring.bytesProcessed).toBe(bytes);
    expect(run.monitoring.getRecordsTimes.length).toBeGreaterThanOrEqual(5);
    expect(run.monitoring.processRecordsTimes.length).toBe(run.processor.batches.length);
    expect(run.monitoring.millisBehind.length).toBe(run.monitoring.getRecordsTimes.length);
    expect(run.events.errors).toEqual([]);
  });

  test('resumes after the stored checkpoint without delivering checkpointed records again', async () => {
    const stream = await createTestStream(fx.kinesis);
    const put = await putRecords(fx.kinesis, stream, payloads(10));
    const lease = await takeTestLease(SHARD, { init: { checkpoint: put[4]!.sequenceNumber } });
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, lease });

    await waitFor(() => run.processor.processed.length >= 5, '5 records');
    await new Promise((r) => setTimeout(r, 150)); // a few more polls: nothing else may arrive
    await stopRun(run);

    expect(run.processor.initializations[0]!.extendedSequenceNumber).toEqual({
      sequenceNumber: put[4]!.sequenceNumber,
      subSequenceNumber: undefined,
    });
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(['r-5', 'r-6', 'r-7', 'r-8', 'r-9']);
    expect(run.lease.shard.checkpoint).toBe(put[9]!.sequenceNumber);
  });

  test('LATEST delivers only records put after the consumer started reading', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(5, 'old'));
    const client = newClient(fx);
    const getRecords = trackCalls(client, 'GetRecordsCommand');
    const config = testConfig(stream).withInitialPositionInStream(InitialPositionInStream.LATEST);
    const run = await runConsumer({ kinesis: client, streamName: stream, config });

    await waitFor(() => getRecords.length >= 1, 'first GetRecords');
    await putRecords(fx.kinesis, stream, payloads(3, 'new'));
    await waitFor(() => run.processor.processed.length >= 3, '3 new records');
    await stopRun(run);
    client.destroy();

    expect(run.processor.processed.map((r) => text(r.data))).toEqual(['new-0', 'new-1', 'new-2']);
  });

  test('AT_TIMESTAMP starts at the first record at or after the timestamp', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(4, 'before'));
    await new Promise((r) => setTimeout(r, 30));
    const timestamp = new Date();
    await new Promise((r) => setTimeout(r, 30));
    await putRecords(fx.kinesis, stream, payloads(4, 'after'));
    const config = testConfig(stream)
      .withInitialPositionInStream(InitialPositionInStream.AT_TIMESTAMP)
      .withTimestampAtInitialPositionInStream(timestamp);
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, config });

    await waitFor(() => run.processor.processed.length >= 4, '4 records');
    await new Promise((r) => setTimeout(r, 100));
    await stopRun(run);

    expect(run.processor.processed.map((r) => text(r.data))).toEqual(payloads(4, 'after'));
  });

  test('a child shard without checkpoint starts at TRIM_HORIZON whatever the initial position', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(3));
    const config = testConfig(stream).withInitialPositionInStream(InitialPositionInStream.LATEST);
    const lease = await takeTestLease(SHARD, { init: { parentShardIds: ['shardId-000000000099'] } });
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, config, lease });

    await waitFor(() => run.processor.processed.length >= 3, '3 records');
    await stopRun(run);
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(payloads(3));
  });

  test('a lease already at SHARD_END is not read: TERMINATE at once', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(3));
    const client = newClient(fx);
    const getRecords = trackCalls(client, 'GetRecordsCommand');
    const lease = await takeTestLease(SHARD, { init: { checkpoint: SHARD_END } });
    const run = await runConsumer({ kinesis: client, streamName: stream, lease });

    const result = await run.result;
    client.destroy();
    expect(result).toEqual({ reason: ShutdownReason.TERMINATE, childShards: [] });
    expect(getRecords).toHaveLength(0);
    expect(run.processor.calls).toEqual(['initialize', 'shutdown:TERMINATE']);
    expect(run.processor.shutdownCheckpointError).toBeUndefined();
    expect(run.lease.shard.checkpoint).toBe(SHARD_END);
  });

  test('empty batches reach the processor only with callProcessRecordsEvenForEmptyRecordList', async () => {
    const stream = await createTestStream(fx.kinesis);
    const quiet = await runConsumer({ kinesis: fx.kinesis, streamName: stream });
    const config = testConfig(stream).withCallProcessRecordsEvenForEmptyRecordList(true);
    const chatty = await runConsumer({ kinesis: fx.kinesis, streamName: stream, config });

    await waitFor(() => chatty.processor.batches.length >= 2, 'two empty deliveries');
    await Promise.all([stopRun(quiet), stopRun(chatty)]);
    expect(quiet.processor.batches).toHaveLength(0);
    expect(quiet.monitoring.getRecordsTimes.length).toBeGreaterThan(0);
    expect(chatty.processor.batches.every((b) => b.length === 0)).toBe(true);
    // checkpoint() with nothing delivered writes nothing.
    expect(chatty.lease.shard.checkpoint).toBeUndefined();
  });
});

describe('polling consumer: pacing', () => {
  test('never more than 5 GetRecords per second per shard (>= 200 ms between call starts)', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(500));
    const client = newClient(fx);
    const starts = trackCalls(client, 'GetRecordsCommand');
    // Full batches of 10 (never caught up) and a 1 ms idle time: only the rate limit spaces the calls.
    const config = testConfig(stream).withMaxRecords(10).withIdleTimeBetweenReadsInMillis(1);
    const run = await runConsumer({ kinesis: client, streamName: stream, config });

    await waitFor(() => starts.length >= 8, '8 GetRecords calls');
    await stopRun(run);
    client.destroy();

    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(190);
    for (let i = 0; i + 5 < starts.length; i++) expect(starts[i + 5]! - starts[i]!).toBeGreaterThanOrEqual(950);
    // ...and it does go at that pace when behind (no idle wait between full batches).
    expect(Math.max(...gaps)).toBeLessThan(600);
  });

  test('idle wait only when caught up: full batches are read back to back, an empty batch waits', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(400));
    const client = newClient(fx);
    const starts = trackCalls(client, 'GetRecordsCommand');
    const config = testConfig(stream).withMaxRecords(100).withIdleTimeBetweenReadsInMillis(1000);
    const run = await runConsumer({ kinesis: client, streamName: stream, config });

    // 4 full batches, then an empty one (caught up), then the idle wait before call 6.
    await waitFor(() => starts.length >= 6, '6 GetRecords calls');
    await stopRun(run);
    client.destroy();

    expect(run.processor.processed).toHaveLength(400);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    for (const gap of gaps.slice(0, 4)) expect(gap).toBeLessThan(600); // 5 calls without idling
    expect(gaps[4]).toBeGreaterThanOrEqual(950); // after the empty 5th batch
  });

  test('each idle wait is stretched by a random 0-20 % (never shortened), in one timer (a 10 ms slot of the idle timer wheel) instead of 250 ms slices', async () => {
    const stream = await createTestStream(fx.kinesis);
    const client = newClient(fx);
    const starts = trackCalls(client, 'GetRecordsCommand');
    const waits: number[] = [];
    const realSetTimeout = global.setTimeout;
    const spy = jest.spyOn(global, 'setTimeout').mockImplementation((fn: () => void, ms?: number, ...args: unknown[]) => {
      // Timers of the length of an idle wait or a slice of it (SDK timeouts are 5 s and more, the rate limit <= 200 ms).
      if (typeof ms === 'number' && ms >= 240 && ms <= 1_300) waits.push(ms);
      return (realSetTimeout as (callback: () => void, delay?: number, ...rest: unknown[]) => NodeJS.Timeout)(fn, ms, ...args);
    });
    try {
      const config = testConfig(stream).withIdleTimeBetweenReadsInMillis(1000);
      const run = await runConsumer({ kinesis: client, streamName: stream, config, consumerOptions: { random: () => 0.999 } });
      await waitFor(() => starts.length >= 3, '3 GetRecords calls');
      await stopRun(run);
    } finally {
      spy.mockRestore();
      client.destroy();
    }
    // Empty stream: every batch is empty, so every gap is an idle wait of floor(1000 * (1 + 0.2 * 0.999)) = 1199 ms.
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1_190);
    // One timer per wait, ending at the first 10 ms slot boundary at or after the wait's end.
    expect(waits.length).toBeGreaterThanOrEqual(2);
    for (const wait of waits.slice(0, 2)) {
      expect(wait).toBeGreaterThanOrEqual(1_199);
      expect(wait).toBeLessThanOrEqual(1_209);
    }
  });

  test('GetRecords of one consumer resolve the SDK middleware chain once, not on every call', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(30));
    const client = newClient(fx);
    const starts = trackCalls(client, 'GetRecordsCommand');
    const resolve = jest.spyOn(GetRecordsCommand.prototype, 'resolveMiddleware');
    try {
      const config = testConfig(stream).withMaxRecords(10).withIdleTimeBetweenReadsInMillis(1);
      const run = await runConsumer({ kinesis: client, streamName: stream, config });
      await waitFor(() => starts.length >= 5 && run.processor.processed.length >= 30, '5 GetRecords calls and 30 records');
      await stopRun(run);
      expect(resolve).toHaveBeenCalledTimes(1);
    } finally {
      resolve.mockRestore();
      client.destroy();
    }
  });

  test('idleWaitMillis: the idle time plus up to 20 % (IDLE_WAIT_JITTER), never less, for any random value', () => {
    expect(IDLE_WAIT_JITTER).toBe(0.2);
    expect(idleWaitMillis(1_000, () => 0)).toBe(1_000);
    expect(idleWaitMillis(1_000, () => 0.5)).toBe(1_100);
    expect(idleWaitMillis(1_000, () => 0.999)).toBe(1_199);
    expect(idleWaitMillis(1_000, () => Number.NaN)).toBe(1_000);
    expect(idleWaitMillis(1_000, () => -1)).toBe(1_000);
    expect(idleWaitMillis(1_000, () => 7)).toBe(1_200);
    expect(idleWaitMillis(1, () => 0.999)).toBe(1);
    const spread = new Set(Array.from({ length: 200 }, () => idleWaitMillis(1_000)));
    expect(Math.min(...spread)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...spread)).toBeLessThan(1_200);
    expect(spread.size).toBeGreaterThan(50); // spread out, not one value
  });

  test('a partial batch that is behind the tip (MillisBehindLatest > 0) is followed by the next read at once', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(30));
    const client = newClient(fx);
    const starts = trackCalls(client, 'GetRecordsCommand');
    // kinesalite always reports 0: pretend the first non-empty response is 5 s behind.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const output = out.output as { Records?: unknown[]; MillisBehindLatest?: number };
        if (context.commandName === 'GetRecordsCommand' && output.Records?.length) output.MillisBehindLatest = 5000;
        return out;
      },
      { step: 'initialize', name: 'fake-millis-behind' },
    );
    const config = testConfig(stream).withMaxRecords(1000).withIdleTimeBetweenReadsInMillis(1000);
    const run = await runConsumer({ kinesis: client, streamName: stream, config });

    await waitFor(() => starts.length >= 3, '3 GetRecords calls');
    await stopRun(run);
    client.destroy();

    expect(run.processor.processed).toHaveLength(30);
    expect(run.monitoring.millisBehind[0]).toBe(5000);
    expect(starts[1]! - starts[0]!).toBeLessThan(600); // behind: no idle wait
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(950); // the 2nd (empty) batch: caught up
  });
});

/**
 * Faults kinesalite cannot produce, injected with SDK middleware: throttling, expired iterators, 5xx and network
 * errors, hanging requests. Every record must still arrive exactly once and in order; nothing may crash.
 */
import type { GetShardIteratorCommandInput, KinesisClient } from '@aws-sdk/client-kinesis';
import { createTestStream } from '@kcl/testbed';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { takeTestLease } from './helpers/consumer-lease';
import {
  faults,
  hangingClient,
  injectFaults,
  newClient,
  payloads,
  putAggregate,
  putRecords,
  startKinesisFixture,
  text,
} from './helpers/consumer-kinesis';
import { runConsumer, stopAllRuns, stopRun, testConfig, waitFor } from './helpers/consumer-harness';
import { useServerFixture } from './helpers/kinesis-fixture';

const SHARD = 'shardId-000000000000';
const fx = useServerFixture(startKinesisFixture);
afterEach(stopAllRuns);

/** Records the input of every GetShardIterator call. */
function trackIteratorRequests(client: KinesisClient): GetShardIteratorCommandInput[] {
  const inputs: GetShardIteratorCommandInput[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetShardIteratorCommand') inputs.push({ ...(args.input as GetShardIteratorCommandInput) });
      return next(args);
    },
    { step: 'initialize', name: 'track-iterator-requests' },
  );
  return inputs;
}

describe('GetRecords faults', () => {
  test('throttling, an expired iterator, a 500 and a reset connection: every record exactly once, in order', async () => {
    const stream = await createTestStream(fx.kinesis);
    const put = await putRecords(fx.kinesis, stream, payloads(100));
    const client = newClient(fx);
    const iteratorRequests = trackIteratorRequests(client);
    const counter = injectFaults(client, 'GetRecordsCommand', {
      2: faults.throughputExceeded,
      3: faults.throughputExceeded,
      5: faults.expiredIterator,
      7: faults.internalFailure,
      8: faults.connectionReset,
    });
    const config = testConfig(stream).withMaxRecords(10);
    const run = await runConsumer({ kinesis: client, streamName: stream, config });

    await waitFor(() => run.processor.processed.length >= 100, '100 records', 20_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(await stopRun(run)).toEqual({ reason: ShutdownReason.REQUESTED });
    client.destroy();

    expect(run.processor.processed.map((r) => text(r.data))).toEqual(put.map((p) => p.data));
    expect(counter.calls).toBeGreaterThanOrEqual(15);
    expect(run.events.errorNames('GetRecords')).toEqual([
      'ProvisionedThroughputExceededException',
      'ProvisionedThroughputExceededException',
      'ExpiredIteratorException',
      'InternalFailure',
      'Error',
    ]);
    expect(run.events.errors.every((e) => e.context.shardId === SHARD)).toBe(true);
    // Calls 1 and 4 succeeded (10 records each) before the iterator expired: the new one starts after record 19.
    expect(iteratorRequests.map((i) => [i.ShardIteratorType, i.StartingSequenceNumber])).toEqual([
      ['TRIM_HORIZON', undefined],
      ['AFTER_SEQUENCE_NUMBER', put[19]!.sequenceNumber],
    ]);
    expect(run.logger.at('warn').filter((l) => l.message === 'GetRecords throttled, backing off')).toHaveLength(2);
    expect(run.logger.at('error').filter((l) => l.message === 'GetRecords failed, backing off')).toHaveLength(2);
  });

  test('an iterator that expires before anything was delivered is replaced at the start position', async () => {
    const stream = await createTestStream(fx.kinesis);
    const put = await putRecords(fx.kinesis, stream, payloads(5));
    const client = newClient(fx);
    const iteratorRequests = trackIteratorRequests(client);
    injectFaults(client, 'GetRecordsCommand', { 1: faults.expiredIterator });
    const run = await runConsumer({ kinesis: client, streamName: stream });

    await waitFor(() => run.processor.processed.length >= 5, '5 records');
    await stopRun(run);
    client.destroy();
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(put.map((p) => p.data));
    expect(iteratorRequests.map((i) => i.ShardIteratorType)).toEqual(['TRIM_HORIZON', 'TRIM_HORIZON']);
  });

  test('an expired iterator while resuming inside an aggregate still skips the checkpointed user records', async () => {
    const stream = await createTestStream(fx.kinesis);
    const agg = await putAggregate(
      fx.kinesis,
      stream,
      [0, 1, 2, 3].map((i) => ({ data: `a${i}`, partitionKey: `key-a-${i}` })),
    );
    await putRecords(fx.kinesis, stream, ['p0']);
    const client = newClient(fx);
    const iteratorRequests = trackIteratorRequests(client);
    injectFaults(client, 'GetRecordsCommand', { 1: faults.expiredIterator });
    const lease = await takeTestLease(SHARD, { init: { checkpoint: agg.sequenceNumber, subSequenceNumber: 1 } });
    const run = await runConsumer({ kinesis: client, streamName: stream, lease });

    await waitFor(() => run.processor.processed.length >= 3, '3 records');
    await new Promise((r) => setTimeout(r, 100));
    await stopRun(run);
    client.destroy();
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(['a2', 'a3', 'p0']);
    expect(iteratorRequests.map((i) => i.ShardIteratorType)).toEqual(['AT_SEQUENCE_NUMBER', 'AT_SEQUENCE_NUMBER']);
  });
});

describe('GetShardIterator faults', () => {
  test('a 500 and throttling on GetShardIterator are retried', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(3));
    const client = newClient(fx);
    injectFaults(client, 'GetShardIteratorCommand', { 1: faults.internalFailure, 2: faults.throughputExceeded });
    const run = await runConsumer({ kinesis: client, streamName: stream });

    await waitFor(() => run.processor.processed.length >= 3, '3 records');
    await stopRun(run);
    client.destroy();
    expect(run.events.errorNames('GetShardIterator')).toEqual(['InternalFailure', 'ProvisionedThroughputExceededException']);
  });

  test('a deleted stream (ResourceNotFound) is reported and retried with back-off, never crashes, stops promptly', async () => {
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: 'kcl-test-no-such-stream' });

    await waitFor(() => run.events.errors.length >= 3, '3 reported errors');
    const started = Date.now();
    expect(await stopRun(run)).toEqual({ reason: ShutdownReason.REQUESTED });
    expect(Date.now() - started).toBeLessThan(500);
    expect(new Set(run.events.errorNames())).toEqual(new Set(['ResourceNotFoundException']));
    expect(run.processor.calls).toEqual(['initialize', 'shutdown:REQUESTED']);
  });
});

describe('abort signals', () => {
  test('a hanging GetRecords is aborted at shutdown (the signal reaches the HTTP handler)', async () => {
    const stream = await createTestStream(fx.kinesis);
    const hanging = hangingClient(fx, 'GetRecords');
    const run = await runConsumer({ kinesis: hanging.client, streamName: stream });
    await waitFor(() => hanging.seen === 1, 'GetRecords in flight');

    const started = Date.now();
    expect(await stopRun(run)).toEqual({ reason: ShutdownReason.REQUESTED });
    expect(Date.now() - started).toBeLessThan(500);
    expect(hanging.withSignal).toBe(1);
    expect(run.events.errors).toEqual([]); // our own abort is not an error
    hanging.client.destroy();
  });

  test('a hanging GetShardIterator is aborted when the lease is lost: ZOMBIE', async () => {
    const stream = await createTestStream(fx.kinesis);
    const hanging = hangingClient(fx, 'GetShardIterator');
    const run = await runConsumer({ kinesis: hanging.client, streamName: stream });
    await waitFor(() => hanging.seen === 1, 'GetShardIterator in flight');

    run.lease.lose();
    expect(await run.result).toEqual({ reason: ShutdownReason.ZOMBIE });
    expect(hanging.withSignal).toBe(1);
    expect(run.processor.shutdowns).toEqual([ShutdownReason.ZOMBIE]);
    hanging.client.destroy();
  });
});

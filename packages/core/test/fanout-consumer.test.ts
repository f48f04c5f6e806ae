/**
 * The enhanced fan-out consumer against an in-process fake SubscribeToShard (what kinesis-local cannot produce):
 * shard end via ChildShards, start positions, re-subscription positions, ResourceInUse / throttling / error events /
 * silent streams, prompt stop on hand-off, shutdown and an overdue lease.
 */
import { trackUnhandledRejections } from './helpers/worker-harness';
import { SHARD_END } from '../src/checkpoint/shard-status';
import { InitialPositionInStream } from '../src/config/initial-position';
import { KinesisError } from '../src/errors';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { waitFor } from './helpers/consumer-harness';
import { storedLease, takeTestLease } from './helpers/consumer-lease';
import { RecordingProcessor } from './helpers/consumer-recorders';
import { FakeFanOutKinesis, fakeRecord, fakeRecords, faults } from './helpers/fanout-fake-kinesis';
import { runFanOutConsumer, stopAllFanOutRuns, testConfig } from './helpers/fanout-harness';
import type { RunFanOutOptions } from './helpers/fanout-harness';
import { aggregate } from './kpl-fixtures';

const CONSUMER_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/fake-stream/consumer/app:1700000000';
const SHARD = 'shardId-000000000000';

const rejections = trackUnhandledRejections();
afterAll(() => rejections.dispose());
afterEach(async () => {
  await stopAllFanOutRuns();
  expect(rejections.errors).toEqual([]);
});

function run(fake: FakeFanOutKinesis, options: Partial<RunFanOutOptions> = {}): ReturnType<typeof runFanOutConsumer> {
  return runFanOutConsumer({ kinesis: fake.asClient(), consumerArn: CONSUMER_ARN, ...options });
}

const sequenceNumbers = (processor: RecordingProcessor): string[] => processor.processed.map((r) => r.sequenceNumber);

describe('shard end', () => {
  test('an event without continuation number ends the shard: TERMINATE, SHARD_END written, children returned', async () => {
    const children = [
      { ShardId: 'shardId-000000000001', ParentShards: [SHARD], HashKeyRange: { StartingHashKey: '0', EndingHashKey: '99' } },
      { ShardId: 'shardId-000000000002', ParentShards: [SHARD], HashKeyRange: { StartingHashKey: '100', EndingHashKey: '199' } },
    ];
    const fake = new FakeFanOutKinesis([
      {
        events: [
          { records: fakeRecords(1, 3), continuation: '3' },
          { records: fakeRecords(4, 2), continuation: null, childShards: children },
        ],
      },
    ]);
    // A processor that does not checkpoint at shutdown: the consumer writes SHARD_END for it.
    const processor = new RecordingProcessor({ shutdown: () => undefined });
    const r = await run(fake, { processor });
    const result = await r.result;
    expect(result.reason).toBe(ShutdownReason.TERMINATE);
    expect(result.childShards).toEqual([
      { shardId: 'shardId-000000000001', parentShards: [SHARD], hashKeyRange: { startingHashKey: '0', endingHashKey: '99' } },
      { shardId: 'shardId-000000000002', parentShards: [SHARD], hashKeyRange: { startingHashKey: '100', endingHashKey: '199' } },
    ]);
    expect(sequenceNumbers(processor)).toEqual(['1', '2', '3', '4', '5']);
    expect(processor.shutdowns).toEqual([ShutdownReason.TERMINATE]);
    expect((await storedLease(r.table, SHARD))?.checkpoint).toBe(SHARD_END);
    expect(r.events.shardEnds).toEqual([{ shardId: SHARD, childShards: result.childShards }]);
    expect(fake.subscribeCalls).toHaveLength(1);
    expect(fake.openSubscriptions).toBe(0);
  });

  test('the processor may checkpoint SHARD_END itself at TERMINATE', async () => {
    const fake = new FakeFanOutKinesis([{ events: [{ records: fakeRecords(1, 1), continuation: null, childShards: [] }] }]);
    const processor = new RecordingProcessor({ shutdown: (input) => input.checkpointer.checkpoint(null) });
    const r = await run(fake, { processor });
    expect((await r.result).reason).toBe(ShutdownReason.TERMINATE);
    expect((await storedLease(r.table, SHARD))?.checkpoint).toBe(SHARD_END);
    expect(r.logger.lines.some((l) => l.message.includes('did not checkpoint SHARD_END'))).toBe(false);
  });

  test('a lease already at SHARD_END is not subscribed to', async () => {
    const fake = new FakeFanOutKinesis();
    const lease = await takeTestLease(SHARD, { init: { checkpoint: SHARD_END } });
    const r = await run(fake, { lease });
    expect((await r.result).reason).toBe(ShutdownReason.TERMINATE);
    expect(fake.subscribeCalls).toHaveLength(0);
  });
});

describe('start and continuation positions', () => {
  test('the first subscription starts where the polling consumer would', async () => {
    const cases: { name: string; options: () => Promise<Partial<RunFanOutOptions>>; expected: object }[] = [
      {
        name: 'checkpoint',
        options: async () => ({ lease: await takeTestLease(SHARD, { init: { checkpoint: '12345' } }) }),
        expected: { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '12345' },
      },
      {
        name: 'child shard without checkpoint',
        options: async () => ({
          lease: await takeTestLease(SHARD, { init: { parentShardIds: ['shardId-000000000009'] } }),
          config: testConfig('s').withInitialPositionInStream(InitialPositionInStream.LATEST),
        }),
        expected: { Type: 'TRIM_HORIZON' },
      },
      {
        name: 'LATEST',
        options: async () => ({ config: testConfig('s').withInitialPositionInStream(InitialPositionInStream.LATEST) }),
        expected: { Type: 'LATEST' },
      },
      {
        name: 'AT_TIMESTAMP',
        options: async () => ({ config: testConfig('s').withTimestampAtInitialPositionInStream(new Date('2026-01-02T03:04:05Z')) }),
        expected: { Type: 'AT_TIMESTAMP', Timestamp: new Date('2026-01-02T03:04:05Z') },
      },
    ];
    for (const c of cases) {
      const fake = new FakeFanOutKinesis();
      const r = await run(fake, await c.options());
      await waitFor(() => fake.subscribeCalls.length === 1, `subscription (${c.name})`);
      expect({ name: c.name, position: fake.subscribeCalls[0]!.position }).toEqual({ name: c.name, position: c.expected });
      expect(fake.subscribeCalls[0]).toMatchObject({ consumerArn: CONSUMER_ARN, shardId: SHARD, hadSignal: true });
      r.shutdown.abort();
      expect((await r.result).reason).toBe(ShutdownReason.REQUESTED);
      expect(fake.openSubscriptions).toBe(0);
    }
  });

  test('re-subscribes AFTER the continuation number of the last delivered event: no duplicates, no gaps, never backwards', async () => {
    const fake = new FakeFanOutKinesis([
      // Ended by the server after two events (the second one without records moves the continuation on).
      {
        events: [
          { records: fakeRecords(1, 3), continuation: '3' },
          { records: [], continuation: '5' },
        ],
      },
      // An error event after one event: the records of that event are not repeated.
      { events: [{ records: fakeRecords(6, 2), continuation: '7' }, { error: faults.internalFailure }] },
      // A continuation behind the position is ignored.
      { events: [{ records: [], continuation: '4' }] },
      { events: [{ records: fakeRecords(8, 2), continuation: '9' }], then: 'hang' },
    ]);
    const r = await run(fake);
    await waitFor(() => r.processor.processed.length >= 7, '7 records');
    expect(sequenceNumbers(r.processor)).toEqual(['1', '2', '3', '6', '7', '8', '9']);
    expect(fake.subscribeCalls.map((c) => c.position)).toEqual([
      { Type: 'TRIM_HORIZON' },
      { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '5' },
      { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '7' },
      { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '7' },
    ]);
    expect(r.events.errorNames('SubscribeToShard')).toEqual(['InternalFailureException']);
    // Every finished subscription was closed (its request aborted); only the current one is open.
    expect(fake.openSubscriptions).toBe(1);
    expect(r.monitoring.millisBehind.length).toBeGreaterThanOrEqual(5);
  });

  test('a checkpoint inside a KPL aggregate: AT_SEQUENCE_NUMBER, the checkpointed user records skipped, kept across re-subscriptions', async () => {
    const data = aggregate(['a0', 'a1', 'a2', 'a3'].map((d) => ({ partitionKey: 'agg-key', data: Buffer.from(d) })));
    const fake = new FakeFanOutKinesis([
      // An empty event whose continuation is the checkpointed aggregate: AFTER it would skip a2, a3.
      { events: [{ records: [], continuation: '100' }] },
      { events: [{ records: [{ ...fakeRecord(100), Data: data }, fakeRecord(101)], continuation: '101' }], then: 'hang' },
    ]);
    const lease = await takeTestLease(SHARD, { init: { checkpoint: '100', subSequenceNumber: 1 } });
    const r = await run(fake, { lease });
    await waitFor(() => r.processor.processed.length >= 3, '3 records');
    expect(r.processor.processed.map((rec) => [rec.sequenceNumber, rec.subSequenceNumber, Buffer.from(rec.data).toString()])).toEqual([
      ['100', 2, 'a2'],
      ['100', 3, 'a3'],
      ['101', undefined, 'd101'],
    ]);
    const atAggregate = { Type: 'AT_SEQUENCE_NUMBER', SequenceNumber: '100' };
    expect(fake.subscribeCalls.map((c) => c.position)).toEqual([atAggregate, atAggregate]);
  });
});

describe('subscription failures', () => {
  test('ResourceInUse (previous subscription still open): backed off with jitter and retried, reported, then consumed', async () => {
    const fake = new FakeFanOutKinesis([
      { fail: () => faults.resourceInUse() },
      { fail: () => faults.resourceInUse() },
      { fail: () => faults.resourceInUse() },
      { events: [{ records: fakeRecords(1, 2), continuation: '2' }], then: 'hang' },
    ]);
    const r = await run(fake, { consumerOptions: { backoffBaseMs: 40, backoffMaxMs: 400, subscribeIntervalMs: 30 } });
    await waitFor(() => r.processor.processed.length >= 2, 'records');
    expect(r.events.errorNames('SubscribeToShard')).toEqual(['ResourceInUseException', 'ResourceInUseException', 'ResourceInUseException']);
    const warnings = r.logger.at('warn').filter((l) => l.message === 'SubscribeToShard: resource in use, backing off');
    expect(warnings.map((l) => l.fields['attempt'])).toEqual([1, 2, 3]);
    // Calls are spaced by the 1-per-interval limit (30 ms here). Timers and millisecond clocks may read a few ms short,
    // so the bound is 25 ms; the jittered back-off alone (0-40 ms) would often fall below it.
    const starts = fake.subscribeCalls.map((c) => c.at);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(25);
    expect(fake.subscribeCalls.every((c) => c.position.Type === 'TRIM_HORIZON')).toBe(true);
  });

  test('LimitExceeded and throttling are backed off; 5xx, access errors and silent or empty streams are re-subscribed after a back-off', async () => {
    const fake = new FakeFanOutKinesis([
      { fail: faults.limitExceeded },
      { fail: faults.internalFailure },
      { fail: faults.accessDenied },
      { events: [] }, // ended by the server without any event
      { events: [{ records: fakeRecords(1, 1), continuation: '1' }], then: 'hang' },
    ]);
    const r = await run(fake);
    await waitFor(() => r.processor.processed.length >= 1, 'record');
    expect(r.events.errorNames('SubscribeToShard')).toEqual([
      'LimitExceededException',
      'InternalFailureException',
      'AccessDeniedException',
      'KinesisError',
    ]);
    expect(r.logger.at('warn').some((l) => l.message === 'SubscribeToShard throttled, backing off')).toBe(true);
    expect(r.logger.at('error').filter((l) => l.message === 'SubscribeToShard failed, backing off')).toHaveLength(3);
    const silent = r.events.errors.find((e) => e.error instanceof KinesisError)!;
    expect((silent.error as Error).message).toContain('without any event');
    expect(r.processor.shutdowns).toEqual([]);
  });

  test('a subscription that stays silent longer than idleTimeoutMs is replaced', async () => {
    const fake = new FakeFanOutKinesis([
      { events: [{ records: fakeRecords(1, 1), continuation: '1' }], then: 'hang' },
      { events: [{ records: fakeRecords(2, 1), continuation: '2' }], then: 'hang' },
    ]);
    const r = await run(fake, { consumerOptions: { idleTimeoutMs: 150 } });
    await waitFor(() => r.processor.processed.length >= 2, 'record of the second subscription');
    expect(fake.subscribeCalls[1]?.position).toEqual({ Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '1' });
    expect(fake.subscribeCalls[0]?.abortedAt).toBeDefined();
    expect(r.events.errors.map((e) => (e.error as Error).message)).toEqual([expect.stringContaining('no event for 150 ms')]);
  });

  test('the consumer ARN source failing (registration) is reported and retried', async () => {
    const fake = new FakeFanOutKinesis([{ events: [{ records: fakeRecords(1, 1), continuation: '1' }], then: 'hang' }]);
    let calls = 0;
    const consumerArn = async (): Promise<string> => {
      calls += 1;
      if (calls === 1) throw new KinesisError('RegisterStreamConsumer failed (test)');
      return CONSUMER_ARN;
    };
    const r = await run(fake, { consumerArn });
    await waitFor(() => r.processor.processed.length >= 1, 'record');
    expect(calls).toBe(2);
    expect(r.events.errorNames('RegisterStreamConsumer')).toEqual(['KinesisError']);
    expect(fake.subscribeCalls[0]?.consumerArn).toBe(CONSUMER_ARN);
  });
});

describe('stopping is prompt while a subscription is open', () => {
  async function subscribed(): Promise<{ fake: FakeFanOutKinesis; r: Awaited<ReturnType<typeof run>> }> {
    const fake = new FakeFanOutKinesis([{ events: [{ records: fakeRecords(1, 2), continuation: '2' }], then: 'hang' }]);
    const r = await run(fake);
    await waitFor(() => r.processor.processed.length >= 2, 'records');
    return { fake, r };
  }

  test('worker shutdown: the request is aborted, REQUESTED, last checkpoint written', async () => {
    const { fake, r } = await subscribed();
    const started = performance.now();
    r.shutdown.abort();
    const result = await r.result;
    expect(performance.now() - started).toBeLessThan(200);
    expect(result.reason).toBe(ShutdownReason.REQUESTED);
    expect(fake.openSubscriptions).toBe(0);
    expect((await storedLease(r.table, SHARD))?.checkpoint).toBe('2');
  });

  test('hand-off request (a flag): the watchdog drops the subscription, REQUESTED', async () => {
    const { fake, r } = await subscribed();
    const started = performance.now();
    r.lease.handoffRequested = true;
    const result = await r.result;
    expect(performance.now() - started).toBeLessThan(300);
    expect(result.reason).toBe(ShutdownReason.REQUESTED);
    expect(r.processor.shutdowns).toEqual([ShutdownReason.REQUESTED]);
    expect(fake.openSubscriptions).toBe(0);
  });

  test('lease overdue (isValid() false, e.g. after a process pause): ZOMBIE without waiting for an event', async () => {
    const { fake, r } = await subscribed();
    const started = performance.now();
    r.lease.valid = false;
    const result = await r.result;
    expect(performance.now() - started).toBeLessThan(300);
    expect(result.reason).toBe(ShutdownReason.ZOMBIE);
    expect(r.processor.shutdowns).toEqual([ShutdownReason.ZOMBIE]);
    expect(fake.openSubscriptions).toBe(0);
  });

  test('lease lost while the processor is busy: the batch is not delivered again, ZOMBIE', async () => {
    let release: () => void = () => undefined;
    const busy = new Promise<void>((resolve) => {
      release = resolve;
    });
    const processor = new RecordingProcessor({ processRecords: () => busy });
    const fake = new FakeFanOutKinesis([
      {
        events: [
          { records: fakeRecords(1, 1), continuation: '1' },
          { records: fakeRecords(2, 1), continuation: '2' },
        ],
      },
    ]);
    const r = await run(fake, { processor });
    await waitFor(() => processor.batches.length === 1, 'first batch');
    r.lease.lose();
    release();
    expect((await r.result).reason).toBe(ShutdownReason.ZOMBIE);
    expect(processor.batches.map((b) => b.map((rec) => rec.sequenceNumber))).toEqual([['1']]);
  });
});

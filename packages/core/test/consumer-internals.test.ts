/** Small building blocks of the polling consumer, tested without Kinesis. */
import { ExpiredIteratorException, KMSThrottlingException, ResourceNotFoundException } from '@aws-sdk/client-kinesis';
import { FullJitterBackoff } from '../src/internal/backoff';
import { toChildShardInfos } from '../src/consumers/child-shards';
import { compareExtendedSequenceNumbers } from '../src/consumers/extended-sequence-number';
import { GetRecordsRateLimiter } from '../src/consumers/get-records-rate-limiter';
import { classifyKinesisError } from '../src/consumers/kinesis-error-kind';
import { linkAbortSignals } from '../src/consumers/linked-abort-signal';
import { startPositionForLease } from '../src/consumers/shard-iterator';
import { createShardStatus } from '../src/checkpoint/shard-status';
import { InitialPositionInStream } from '../src/config/initial-position';
import { AbortedError } from '../src/errors';
import { faults } from './helpers/consumer-kinesis';
import { RecordingLogger } from './helpers/consumer-recorders';

test('FullJitterBackoff: exponential ceiling with full jitter, capped, reset after success', () => {
  let r = 1;
  const backoff = new FullJitterBackoff(100, 1_000, () => r);
  expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400, 800, 1000]);
  expect(backoff.attempts).toBe(5);
  r = 0.5;
  expect(backoff.next()).toBe(500);
  r = 0;
  expect(backoff.next()).toBe(0);
  backoff.reset();
  r = 0.999;
  expect(backoff.next()).toBe(99);
  expect(backoff.attempts).toBe(1);
});

test('GetRecordsRateLimiter: call starts at least 200 ms apart on the given clock', async () => {
  let now = 1_000;
  const limiter = new GetRecordsRateLimiter(200, () => now);
  // A call that may start now is recorded at once, without a promise (the poll loop awaits only a real wait).
  expect(limiter.acquire()).toBeUndefined();
  expect(limiter.delayMs()).toBe(200);
  now += 150;
  expect(limiter.delayMs()).toBe(50);
  now += 50;
  expect(limiter.delayMs()).toBe(0);
  const controller = new AbortController();
  expect(limiter.acquire()).toBeUndefined();
  controller.abort();
  const waiting = limiter.acquire(controller.signal);
  expect(waiting).toBeInstanceOf(Promise);
  await expect(waiting).rejects.toBeInstanceOf(AbortedError);
});

test('linkAbortSignals fires on either source and removes its listeners', () => {
  const a = new AbortController();
  const b = new AbortController();
  const linked = linkAbortSignals([a.signal, b.signal]);
  expect(linked.signal.aborted).toBe(false);
  b.abort('stop');
  expect(linked.signal.aborted).toBe(true);
  expect(linked.signal.reason).toBe('stop');

  const c = new AbortController();
  const d = new AbortController();
  const disposed = linkAbortSignals([c.signal, d.signal]);
  disposed.dispose();
  c.abort();
  expect(disposed.signal.aborted).toBe(false);

  const already = linkAbortSignals([AbortSignal.abort('early'), new AbortController().signal]);
  expect(already.signal.aborted).toBe(true);
});

test('classifyKinesisError', () => {
  const meta = { $metadata: {} };
  expect(classifyKinesisError(faults.throughputExceeded())).toBe('throttled');
  expect(classifyKinesisError(new KMSThrottlingException({ message: 'x', ...meta }))).toBe('throttled');
  expect(classifyKinesisError(new ExpiredIteratorException({ message: 'x', ...meta }))).toBe('expired-iterator');
  expect(classifyKinesisError(new ResourceNotFoundException({ message: 'x', ...meta }))).toBe('not-found');
  expect(classifyKinesisError(faults.internalFailure())).toBe('transient');
  expect(classifyKinesisError(faults.connectionReset())).toBe('transient');
  expect(classifyKinesisError(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 503 } }))).toBe('transient');
  expect(classifyKinesisError(Object.assign(new Error('x'), { name: 'AccessDeniedException', $fault: 'client' }))).toBe('other');
  expect(classifyKinesisError(Object.assign(new Error('x'), { name: 'AbortError' }))).toBe('transient');
  expect(classifyKinesisError(Object.assign(new Error('x'), { name: 'AbortError' }), AbortSignal.abort())).toBe('aborted');
  expect(classifyKinesisError(faults.internalFailure(), AbortSignal.abort())).toBe('aborted');
  expect(classifyKinesisError('a string')).toBe('other');
});

test('toChildShardInfos maps ChildShards and tolerates their absence', () => {
  expect(toChildShardInfos(undefined)).toEqual([]);
  expect(
    toChildShardInfos([
      {
        ShardId: 'shardId-000000000003',
        ParentShards: ['shardId-000000000001', 'shardId-000000000002'],
        HashKeyRange: { StartingHashKey: '0', EndingHashKey: '9' },
      },
      { ShardId: 'shardId-000000000004', ParentShards: undefined, HashKeyRange: undefined },
    ] as never),
  ).toEqual([
    {
      shardId: 'shardId-000000000003',
      parentShards: ['shardId-000000000001', 'shardId-000000000002'],
      hashKeyRange: { startingHashKey: '0', endingHashKey: '9' },
    },
    { shardId: 'shardId-000000000004', parentShards: [], hashKeyRange: undefined },
  ]);
});

describe('startPositionForLease', () => {
  const logger = new RecordingLogger();
  const latest = { initialPositionInStream: InitialPositionInStream.LATEST };
  const seq = '49590338271490256608559692538361571095921575989136588898';

  test.each([
    ['checkpoint without sub-sequence', { checkpoint: seq }, latest, { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: seq }],
    [
      'checkpoint inside an aggregate',
      { checkpoint: seq, subSequenceNumber: 0 },
      latest,
      { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: seq, skipThrough: { sequenceNumber: seq, subSequenceNumber: 0 } },
    ],
    ['no checkpoint, LATEST', {}, latest, { type: 'LATEST' }],
    ['no checkpoint, TRIM_HORIZON', {}, { initialPositionInStream: InitialPositionInStream.TRIM_HORIZON }, { type: 'TRIM_HORIZON' }],
    [
      'no checkpoint, AT_TIMESTAMP',
      {},
      { initialPositionInStream: InitialPositionInStream.AT_TIMESTAMP, timestampAtInitialPositionInStream: new Date(5_000) },
      { type: 'AT_TIMESTAMP', timestamp: new Date(5_000) },
    ],
    ['AT_TIMESTAMP without a timestamp', {}, { initialPositionInStream: InitialPositionInStream.AT_TIMESTAMP }, { type: 'TRIM_HORIZON' }],
    ['child of a reshard', { parentShardIds: ['shardId-000000000000'] }, latest, { type: 'TRIM_HORIZON' }],
    ['Java KCL sentinel TRIM_HORIZON', { checkpoint: 'TRIM_HORIZON' }, latest, { type: 'TRIM_HORIZON' }],
    ['Java KCL sentinel LATEST', { checkpoint: 'LATEST' }, { initialPositionInStream: InitialPositionInStream.TRIM_HORIZON }, { type: 'LATEST' }],
    ['unreadable checkpoint', { checkpoint: 'garbage' }, latest, { type: 'TRIM_HORIZON' }],
  ])('%s', (_name, init, config, expected) => {
    expect(startPositionForLease(createShardStatus('shardId-000000000001', init), config, logger)).toEqual(expected);
  });
});

test('compareExtendedSequenceNumbers: the whole record orders after its user records', () => {
  const s = '12345';
  expect(compareExtendedSequenceNumbers({ sequenceNumber: s }, { sequenceNumber: s, subSequenceNumber: 99 })).toBeGreaterThan(0);
  expect(compareExtendedSequenceNumbers({ sequenceNumber: s, subSequenceNumber: 1 }, { sequenceNumber: s, subSequenceNumber: 2 })).toBeLessThan(0);
  expect(compareExtendedSequenceNumbers({ sequenceNumber: s }, { sequenceNumber: s })).toBe(0);
  expect(compareExtendedSequenceNumbers({ sequenceNumber: '9' }, { sequenceNumber: '10', subSequenceNumber: 0 })).toBeLessThan(0);
});

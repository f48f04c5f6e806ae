/** ShardRecordProcessorCheckpointer: validation and conditional writes, against the in-memory lease store. */
import { SHARD_END } from '../src/checkpoint/shard-status';
import { ShardRecordProcessorCheckpointer } from '../src/consumers/record-processor-checkpointer';
import { InvalidArgumentError, LeaseLostError, LeaseStoreError, LeaseStoreUnavailableError, RetryExhaustedError } from '../src/errors';
import { stealLease, takeTestLease } from './helpers/consumer-lease';
import type { LeaseFixture } from './helpers/consumer-lease';
import { RecordingLogger } from './helpers/consumer-recorders';

const SHARD = 'shardId-000000000001';
/** A realistic 56-digit sequence number ending in `n`. */
const seq = (n: number): string => `4959033827149025660855969253836157109592157598913658${String(n).padStart(4, '0')}`;

interface Setup extends LeaseFixture {
  cp: ShardRecordProcessorCheckpointer;
  logger: RecordingLogger;
}

async function setup(init: Parameters<typeof takeTestLease>[1] = {}): Promise<Setup> {
  const fixture = await takeTestLease(SHARD, init);
  const logger = new RecordingLogger();
  const cp = new ShardRecordProcessorCheckpointer({
    lease: fixture.lease,
    checkpointer: fixture.store,
    logger,
    retries: 3,
    retryMinDelayMs: 1,
    retryMaxDelayMs: 5,
  });
  return { ...fixture, cp, logger };
}

describe('checkpoint()', () => {
  test('writes nothing before anything was delivered', async () => {
    const { cp, table } = await setup();
    await cp.checkpoint();
    expect(table.get(SHARD)!.checkpoint).toBeUndefined();
    expect(table.callCount('checkpointSequence')).toBe(0);
  });

  test('writes the last record delivered (the whole record) and updates the lease', async () => {
    const { cp, table, lease } = await setup();
    cp.recordDelivered(seq(5));
    cp.recordDelivered(seq(9));
    cp.recordDelivered(seq(7)); // never moves backwards
    await cp.checkpoint();
    expect(table.get(SHARD)).toMatchObject({ checkpoint: seq(9), subSequenceNumber: undefined });
    expect(lease.shard.checkpoint).toBe(seq(9));
    expect(cp.lastDeliveredSequenceNumber).toBe(seq(9));
  });

  test('writes SHARD_END once the shard end was reached', async () => {
    const { cp, table } = await setup();
    cp.recordDelivered(seq(3));
    cp.markShardEnd();
    await cp.checkpoint();
    expect(table.get(SHARD)!.checkpoint).toBe(SHARD_END);
    expect(cp.isCheckpointedAtShardEnd).toBe(true);
  });
});

describe('checkpoint(sequenceNumber, subSequenceNumber?)', () => {
  test('writes a delivered position, with or without sub-sequence number', async () => {
    const { cp, table, lease } = await setup();
    cp.recordDelivered(seq(10));
    await cp.checkpoint(seq(4));
    expect(table.get(SHARD)).toMatchObject({ checkpoint: seq(4), subSequenceNumber: undefined });
    await cp.checkpoint(seq(6), 2);
    expect(table.get(SHARD)).toMatchObject({ checkpoint: seq(6), subSequenceNumber: 2 });
    expect(lease.shard).toMatchObject({ checkpoint: seq(6), subSequenceNumber: 2 });
    await cp.checkpoint(seq(10), 0);
    expect(table.get(SHARD)).toMatchObject({ checkpoint: seq(10), subSequenceNumber: 0 });
  });

  test.each([
    ['not digits', 'abc', undefined],
    ['empty', '', undefined],
    ['leading zero', `0${seq(1)}`, undefined],
    ['130 digits', '1'.repeat(130), undefined],
    ['negative sub-sequence', seq(1), -1],
    ['fractional sub-sequence', seq(1), 1.5],
    ['NaN sub-sequence', seq(1), Number.NaN],
  ])('rejects a malformed position (%s) with InvalidArgumentError and writes nothing', async (_name, s, sub) => {
    const { cp, table } = await setup();
    cp.recordDelivered(seq(10));
    await expect(cp.checkpoint(s, sub)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(cp.prepareCheckpoint(s, sub)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(table.callCount('checkpointSequence')).toBe(0);
  });

  test('rejects a non-string sequence number', async () => {
    const { cp } = await setup();
    cp.recordDelivered(seq(10));
    await expect(cp.checkpoint(12345 as unknown as string)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  test('rejects a position beyond the last record delivered', async () => {
    const { cp, table } = await setup();
    await expect(cp.checkpoint(seq(1))).rejects.toThrow(/beyond the last record delivered \(none yet\)/);
    cp.recordDelivered(seq(5));
    await expect(cp.checkpoint(seq(6))).rejects.toBeInstanceOf(InvalidArgumentError);
    // Any user record of the last delivered Kinesis record is fine (batches hold whole records).
    await cp.checkpoint(seq(5), 7);
    expect(table.get(SHARD)).toMatchObject({ checkpoint: seq(5), subSequenceNumber: 7 });
  });

  test('rejects a position before the last checkpoint; the same position again is fine', async () => {
    const { cp, table } = await setup({ init: { checkpoint: seq(4), subSequenceNumber: 3 } });
    cp.recordDelivered(seq(9));
    await expect(cp.checkpoint(seq(3))).rejects.toThrow(/before the last checkpoint/);
    await expect(cp.checkpoint(seq(4), 2)).rejects.toBeInstanceOf(InvalidArgumentError);
    await cp.checkpoint(seq(4), 3);
    await cp.checkpoint(seq(4)); // the whole record comes after each of its user records
    expect(table.get(SHARD)).toMatchObject({ checkpoint: seq(4), subSequenceNumber: undefined });
    await expect(cp.checkpoint(seq(4), 5)).rejects.toBeInstanceOf(InvalidArgumentError);
    await cp.checkpoint(seq(8));
    expect(table.get(SHARD)!.checkpoint).toBe(seq(8));
  });

  test('rejects any sequence number once SHARD_END is stored', async () => {
    const { cp } = await setup({ init: { checkpoint: SHARD_END } });
    cp.recordDelivered(seq(9));
    await expect(cp.checkpoint(seq(9))).rejects.toThrow(/already checkpointed at SHARD_END/);
  });

  test('overlapping calls are written in call order', async () => {
    const { cp, table } = await setup();
    table.setLatency((op) => (op === 'checkpointSequence' ? 5 : 0));
    cp.recordDelivered(seq(9));
    await Promise.all([cp.checkpoint(seq(1)), cp.checkpoint(seq(5)), cp.checkpoint(seq(9))]);
    expect(table.get(SHARD)!.checkpoint).toBe(seq(9));
    expect(table.callCount('checkpointSequence')).toBe(3);
  });
});

describe('checkpoint(null) = SHARD_END', () => {
  test('is rejected before the shard end and writes nothing', async () => {
    const { cp, table } = await setup();
    cp.recordDelivered(seq(2));
    await expect(cp.checkpoint(null)).rejects.toThrow(/only allowed once the shard end was reached/);
    await expect(cp.checkpoint(SHARD_END)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(cp.prepareCheckpoint(null)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(table.get(SHARD)!.checkpoint).toBeUndefined();
  });

  test('writes SHARD_END at shard end, also after an earlier checkpoint, and is idempotent', async () => {
    const { cp, table } = await setup();
    cp.recordDelivered(seq(2));
    await cp.checkpoint(seq(2));
    cp.markShardEnd();
    await cp.checkpoint(null);
    await cp.checkpoint(null);
    expect(table.get(SHARD)).toMatchObject({ checkpoint: SHARD_END, subSequenceNumber: undefined });
  });

  test('takes no sub-sequence number', async () => {
    const { cp } = await setup();
    cp.markShardEnd();
    await expect(cp.checkpoint(null, 1)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('prepareCheckpoint()', () => {
  test('validates like checkpoint, writes only on commit', async () => {
    const { cp, table, lease } = await setup();
    await expect(cp.prepareCheckpoint()).rejects.toThrow(/no record was delivered yet/);
    cp.recordDelivered(seq(6));
    await expect(cp.prepareCheckpoint(seq(7))).rejects.toBeInstanceOf(InvalidArgumentError);

    const prepared = await cp.prepareCheckpoint(seq(3), 1);
    expect(prepared.pendingCheckpoint).toEqual({ sequenceNumber: seq(3), subSequenceNumber: 1 });
    expect(table.callCount('checkpointSequence')).toBe(0);
    await prepared.checkpoint();
    expect(table.get(SHARD)).toMatchObject({ checkpoint: seq(3), subSequenceNumber: 1 });
    expect(lease.shard.checkpoint).toBe(seq(3));

    const last = await cp.prepareCheckpoint();
    expect(last.pendingCheckpoint).toEqual({ sequenceNumber: seq(6) });
    await last.checkpoint();
    expect(table.get(SHARD)!.checkpoint).toBe(seq(6));
  });

  test('a prepared checkpoint that became stale never moves the stored one backwards', async () => {
    const { cp, table } = await setup();
    cp.recordDelivered(seq(8));
    const stale = await cp.prepareCheckpoint(seq(2));
    await cp.checkpoint(seq(8));
    await expect(stale.checkpoint()).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(table.get(SHARD)!.checkpoint).toBe(seq(8));
  });

  test('prepares SHARD_END at shard end', async () => {
    const { cp, table } = await setup();
    cp.markShardEnd();
    const prepared = await cp.prepareCheckpoint(null);
    expect(prepared.pendingCheckpoint).toEqual({ sequenceNumber: SHARD_END });
    await prepared.checkpoint();
    expect(table.get(SHARD)!.checkpoint).toBe(SHARD_END);
  });
});

describe('lease safety', () => {
  test('after another worker took the lease: LeaseLostError, nothing written, later calls rejected locally', async () => {
    const { cp, table, lease } = await setup({ init: { checkpoint: seq(1) } });
    cp.recordDelivered(seq(5));
    const stolen = await stealLease(table, SHARD, 'worker-2');
    const prepared = await cp.prepareCheckpoint(seq(4));

    await expect(cp.checkpoint(seq(3))).rejects.toBeInstanceOf(LeaseLostError);
    expect(cp.isLeaseLost).toBe(true);
    expect(table.get(SHARD)).toMatchObject({ checkpoint: seq(1), assignedTo: 'worker-2', leaseToken: stolen.leaseToken });
    expect(lease.shard.checkpoint).toBe(seq(1));

    const calls = table.callCount('checkpointSequence');
    await expect(cp.checkpoint()).rejects.toBeInstanceOf(LeaseLostError);
    await expect(prepared.checkpoint()).rejects.toBeInstanceOf(LeaseLostError);
    await expect(cp.prepareCheckpoint(seq(5))).rejects.toBeInstanceOf(LeaseLostError);
    expect(table.callCount('checkpointSequence')).toBe(calls);
  });

  test('once the lease handle reports the lease lost, nothing reaches the store', async () => {
    const { cp, table, lease } = await setup();
    cp.recordDelivered(seq(5));
    lease.lose();
    await expect(cp.checkpoint()).rejects.toBeInstanceOf(LeaseLostError);
    expect(table.callCount('checkpointSequence')).toBe(0);
  });

  test('markLeaseLost (ZOMBIE) makes every call throw LeaseLostError', async () => {
    const { cp, table } = await setup();
    cp.recordDelivered(seq(5));
    cp.markLeaseLost();
    await expect(cp.checkpoint(seq(5))).rejects.toBeInstanceOf(LeaseLostError);
    expect(table.callCount('checkpointSequence')).toBe(0);
  });
});

describe('store failures', () => {
  test('retries LeaseStoreUnavailableError and then writes', async () => {
    const { cp, table, logger } = await setup();
    cp.recordDelivered(seq(5));
    table.failNext('checkpointSequence', new LeaseStoreUnavailableError('store down (test)'), { times: 2 });
    await cp.checkpoint();
    expect(table.get(SHARD)!.checkpoint).toBe(seq(5));
    expect(table.callCount('checkpointSequence')).toBe(3);
    expect(logger.at('warn').filter((l) => l.message.includes('retrying'))).toHaveLength(2);
  });

  test('gives up after the retries; the lease keeps its old checkpoint', async () => {
    const { cp, table, lease } = await setup();
    cp.recordDelivered(seq(5));
    table.failNext('checkpointSequence', new LeaseStoreUnavailableError('store down (test)'), { times: 10 });
    await expect(cp.checkpoint()).rejects.toBeInstanceOf(RetryExhaustedError);
    expect(table.callCount('checkpointSequence')).toBe(4);
    expect(lease.shard.checkpoint).toBeUndefined();
    expect(cp.isLeaseLost).toBe(false);
  });

  test('does not retry other store errors', async () => {
    const { cp, table } = await setup();
    cp.recordDelivered(seq(5));
    table.failNext('checkpointSequence', new LeaseStoreError('bad request (test)'));
    await expect(cp.checkpoint()).rejects.toBeInstanceOf(LeaseStoreError);
    expect(table.callCount('checkpointSequence')).toBe(1);
    await cp.checkpoint();
    expect(table.get(SHARD)!.checkpoint).toBe(seq(5));
  });
});

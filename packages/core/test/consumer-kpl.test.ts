/** KPL aggregates through the polling consumer on kinesalite (aggregates made with aws-kinesis-agg). */
import { createTestStream } from '@kcl/testbed';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { takeTestLease } from './helpers/consumer-lease';
import { putAggregate, putRaw, putRecords, splitShard, startKinesisFixture, text } from './helpers/consumer-kinesis';
import { runConsumer, stopRun, waitFor, stopAllRuns } from './helpers/consumer-harness';
import { RecordingProcessor } from './helpers/consumer-recorders';
import { useServerFixture } from './helpers/kinesis-fixture';

const SHARD = 'shardId-000000000000';
const fx = useServerFixture(startKinesisFixture);
afterEach(stopAllRuns);

const users = (prefix: string, n: number): { data: string; partitionKey: string }[] =>
  Array.from({ length: n }, (_, i) => ({ data: `${prefix}${i}`, partitionKey: `key-${prefix}-${i}` }));

/** plain p0, aggregate a0..a4, plain p1, aggregate b0..b2 */
async function mixedStream(): Promise<{ stream: string; aggA: string; aggB: string; all: string[] }> {
  const stream = await createTestStream(fx.kinesis);
  await putRecords(fx.kinesis, stream, ['p0']);
  const aggA = (await putAggregate(fx.kinesis, stream, users('a', 5))).sequenceNumber;
  await putRecords(fx.kinesis, stream, ['p1']);
  const aggB = (await putAggregate(fx.kinesis, stream, users('b', 3))).sequenceNumber;
  return { stream, aggA, aggB, all: ['p0', 'a0', 'a1', 'a2', 'a3', 'a4', 'p1', 'b0', 'b1', 'b2'] };
}

describe('KPL aggregates', () => {
  test('are delivered as their user records, in order, with sub-sequence numbers', async () => {
    const { stream, aggA, aggB, all } = await mixedStream();
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream });
    await waitFor(() => run.processor.processed.length >= 10, '10 user records');
    await stopRun(run);

    const got = run.processor.processed;
    expect(got.map((r) => text(r.data))).toEqual(all);
    expect(got.slice(1, 6).map((r) => [r.sequenceNumber, r.subSequenceNumber, r.aggregated, r.partitionKey])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [aggA, i, true, `key-a-${i}`]),
    );
    expect(got.slice(7).map((r) => [r.sequenceNumber, r.subSequenceNumber])).toEqual([0, 1, 2].map((i) => [aggB, i]));
    expect(got[0]).toMatchObject({ aggregated: false, subSequenceNumber: undefined });
    expect(run.monitoring.recordsProcessed).toBe(10);
    // checkpoint() at shutdown: the whole last aggregate.
    expect(run.table.get(SHARD)).toMatchObject({ checkpoint: aggB, subSequenceNumber: undefined });
  });

  test('a checkpoint inside an aggregate resumes with the next user record of that aggregate', async () => {
    const { stream, aggA, all } = await mixedStream();
    // First run: checkpoint at a2, then crash (no checkpoint at shutdown).
    const first = await runConsumer({
      kinesis: fx.kinesis,
      streamName: stream,
      processor: new RecordingProcessor({
        async processRecords(input) {
          const a2 = input.records.find((r) => text(r.data) === 'a2');
          if (a2) await input.checkpointer.checkpoint(a2.sequenceNumber, a2.subSequenceNumber);
        },
        shutdown() {},
      }),
    });
    await waitFor(() => first.processor.processed.length >= 10, 'first run');
    await stopRun(first);
    const stored = first.table.get(SHARD)!;
    expect(stored).toMatchObject({ checkpoint: aggA, subSequenceNumber: 2 });

    // Second run from that stored checkpoint.
    const lease = await takeTestLease(SHARD, { init: { checkpoint: stored.checkpoint, subSequenceNumber: stored.subSequenceNumber } });
    const second = await runConsumer({ kinesis: fx.kinesis, streamName: stream, lease });
    await waitFor(() => second.processor.processed.length >= 6, 'second run');
    await new Promise((r) => setTimeout(r, 100));
    await stopRun(second);

    expect(second.processor.initializations[0]!.extendedSequenceNumber).toEqual({ sequenceNumber: aggA, subSequenceNumber: 2 });
    expect(second.processor.processed.map((r) => text(r.data))).toEqual(all.slice(4));
  });

  test('a checkpoint at sub-sequence 0 keeps the rest of the aggregate', async () => {
    const { stream, aggA, all } = await mixedStream();
    const lease = await takeTestLease(SHARD, { init: { checkpoint: aggA, subSequenceNumber: 0 } });
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, lease });
    await waitFor(() => run.processor.processed.length >= 8, '8 records');
    await stopRun(run);
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(all.slice(2));
  });

  test('a checkpoint at the whole aggregate resumes after it', async () => {
    const { stream, aggA, all } = await mixedStream();
    const lease = await takeTestLease(SHARD, { init: { checkpoint: aggA } });
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, lease });
    await waitFor(() => run.processor.processed.length >= 4, '4 records');
    await new Promise((r) => setTimeout(r, 100));
    await stopRun(run);
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(all.slice(6));
  });

  test('a corrupt aggregate is delivered as the raw record', async () => {
    const stream = await createTestStream(fx.kinesis);
    const corrupt = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2, 1, 2, 3, 4, 5);
    await putRaw(fx.kinesis, stream, corrupt);
    await putRecords(fx.kinesis, stream, ['after']);
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream });
    await waitFor(() => run.processor.processed.length >= 2, '2 records');
    await stopRun(run);
    expect(run.processor.processed.map((r) => [Buffer.from(r.data).toString('hex'), r.aggregated])).toEqual([
      [Buffer.from(corrupt).toString('hex'), false],
      [Buffer.from('after').toString('hex'), false],
    ]);
  });

  test("after a reshard, user records outside the child's hash key range are dropped", async () => {
    const stream = await createTestStream(fx.kinesis);
    const shards = await splitShard(fx.kinesis, stream, SHARD);
    const children = shards.filter((s) => s.ParentShardId === SHARD);
    expect(children).toHaveLength(2);
    const [low, high] = children.sort((x, y) => (BigInt(x.HashKeyRange!.StartingHashKey!) < BigInt(y.HashKeyRange!.StartingHashKey!) ? -1 : 1));
    const mid = BigInt(high!.HashKeyRange!.StartingHashKey!);
    // One aggregate (as a KPL built before the reshard could produce) with user records for both children.
    const userRecords = [0, 1, 2, 3, 4, 5].map((i) => ({
      data: `u${i}`,
      partitionKey: `key-u-${i}`,
      explicitHashKey: (i % 2 === 0 ? mid - 1000n - BigInt(i) : mid + 1000n + BigInt(i)).toString(),
    }));
    const put = await putAggregate(fx.kinesis, stream, userRecords);
    const target = children.find((c) => c.ShardId === put.shardId)!;
    const keep = target === low ? ['u0', 'u2', 'u4'] : ['u1', 'u3', 'u5'];
    const lease = await takeTestLease(target.ShardId!, {
      init: {
        parentShardIds: [SHARD],
        hashKeyRange: { startingHashKey: target.HashKeyRange!.StartingHashKey!, endingHashKey: target.HashKeyRange!.EndingHashKey! },
      },
    });
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, lease });

    await waitFor(() => run.processor.processed.length >= 3, 'in-range user records');
    await new Promise((r) => setTimeout(r, 150));
    expect(await stopRun(run)).toEqual({ reason: ShutdownReason.REQUESTED });
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(keep);
    expect(run.processor.processed.filter((r) => r.aggregated).map((r) => r.subSequenceNumber)).toEqual(target === low ? [0, 2, 4] : [1, 3, 5]);
  });
});

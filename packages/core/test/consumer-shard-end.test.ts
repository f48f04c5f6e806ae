/** Shard end after a real SplitShard on kinesalite: TERMINATE, SHARD_END stored, children reported. */
import { createTestStream } from '@kcl/testbed';
import { SHARD_END } from '../src/checkpoint/shard-status';
import { InitialPositionInStream } from '../src/config/initial-position';
import { LeaseStoreUnavailableError } from '../src/errors';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { takeTestLease } from './helpers/consumer-lease';
import { listShards, newClient, payloads, putRecords, splitShard, startKinesisFixture, text } from './helpers/consumer-kinesis';
import { runConsumer, testConfig, waitFor, stopAllRuns } from './helpers/consumer-harness';
import { RecordingProcessor } from './helpers/consumer-recorders';
import { useServerFixture } from './helpers/kinesis-fixture';

const PARENT = 'shardId-000000000000';
const fx = useServerFixture(startKinesisFixture);
afterEach(stopAllRuns);

/** A stream whose only shard was split after `count` records were put on it. */
async function splitStream(count: number): Promise<{ stream: string; put: string[] }> {
  const stream = await createTestStream(fx.kinesis);
  const put = await putRecords(fx.kinesis, stream, payloads(count));
  await splitShard(fx.kinesis, stream, PARENT);
  return { stream, put: put.map((p) => p.data) };
}

/** A processor that never checkpoints, not even at TERMINATE. */
const lazyProcessor = (): RecordingProcessor => new RecordingProcessor({ shutdown() {} });

describe('shard end', () => {
  test('TERMINATE with SHARD_END stored although the processor did not checkpoint (and a warning)', async () => {
    const { stream, put } = await splitStream(12);
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor: lazyProcessor() });

    const result = await run.result;

    expect(result).toEqual({ reason: ShutdownReason.TERMINATE, childShards: [] }); // kinesalite sends no ChildShards
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(put);
    expect(run.processor.calls.at(-1)).toBe('shutdown:TERMINATE');
    expect(run.table.get(PARENT)!.checkpoint).toBe(SHARD_END);
    expect(run.lease.shard.checkpoint).toBe(SHARD_END);
    expect(run.events.shardEnds).toEqual([{ shardId: PARENT, childShards: [] }]);
    expect(run.logger.at('warn').map((l) => l.message)).toContain(
      'The record processor did not checkpoint SHARD_END at shard end: writing SHARD_END for it',
    );
  });

  test('a processor that checkpoints SHARD_END itself (checkpoint(null)) needs no help', async () => {
    const { stream } = await splitStream(3);
    const processor = new RecordingProcessor({
      async shutdown(input) {
        await input.checkpointer.checkpoint(null);
      },
    });
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor });

    expect((await run.result).reason).toBe(ShutdownReason.TERMINATE);
    expect(run.table.get(PARENT)!.checkpoint).toBe(SHARD_END);
    expect(run.table.callCount('checkpointSequence')).toBe(1);
    expect(run.logger.at('warn')).toEqual([]);
  });

  test('checkpoint() at TERMINATE writes SHARD_END (default RecordingProcessor)', async () => {
    const { stream } = await splitStream(3);
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream });
    expect((await run.result).reason).toBe(ShutdownReason.TERMINATE);
    expect(run.processor.shutdownCheckpointError).toBeUndefined();
    expect(run.table.get(PARENT)!.checkpoint).toBe(SHARD_END);
    expect(run.logger.at('warn')).toEqual([]);
  });

  test('ChildShards of the last response are returned and reported', async () => {
    const { stream } = await splitStream(2);
    const client = newClient(fx);
    // kinesalite omits ChildShards; real Kinesis sends them with the response that has no NextShardIterator.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const output = out.output as { NextShardIterator?: string; ChildShards?: unknown[] };
        if (context.commandName === 'GetRecordsCommand' && !output.NextShardIterator) {
          output.ChildShards = [
            { ShardId: 'shardId-000000000001', ParentShards: [PARENT], HashKeyRange: { StartingHashKey: '0', EndingHashKey: '99' } },
            { ShardId: 'shardId-000000000002', ParentShards: [PARENT], HashKeyRange: { StartingHashKey: '100', EndingHashKey: '199' } },
          ];
        }
        return out;
      },
      { step: 'initialize', name: 'fake-child-shards' },
    );
    const run = await runConsumer({ kinesis: client, streamName: stream });
    const result = await run.result;
    client.destroy();

    const children = [
      { shardId: 'shardId-000000000001', parentShards: [PARENT], hashKeyRange: { startingHashKey: '0', endingHashKey: '99' } },
      { shardId: 'shardId-000000000002', parentShards: [PARENT], hashKeyRange: { startingHashKey: '100', endingHashKey: '199' } },
    ];
    expect(result).toEqual({ reason: ShutdownReason.TERMINATE, childShards: children });
    expect(run.events.shardEnds).toEqual([{ shardId: PARENT, childShards: children }]);
  });

  test('SHARD_END is written despite transient store failures (retried until it sticks)', async () => {
    const { stream } = await splitStream(2);
    const lease = await takeTestLease(PARENT);
    // 3 retries per write (maxRetryCount): the first write gives up, the consumer backs off and writes again.
    lease.table.failNext('checkpointSequence', new LeaseStoreUnavailableError('store down (test)'), { times: 6 });
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor: lazyProcessor(), lease });

    expect((await run.result).reason).toBe(ShutdownReason.TERMINATE);
    expect(run.table.get(PARENT)!.checkpoint).toBe(SHARD_END);
    expect(run.table.callCount('checkpointSequence')).toBe(7);
    expect(run.events.errors.map((e) => e.context.operation)).toEqual(['checkpoint SHARD_END']);
  });

  test('lease lost before the shard end: ZOMBIE, SHARD_END not written', async () => {
    const { stream } = await splitStream(4);
    const processor = new RecordingProcessor({
      processRecords() {
        run.lease.lose();
      },
    });
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor });

    expect(await run.result).toEqual({ reason: ShutdownReason.ZOMBIE });
    expect(run.processor.shutdowns).toEqual([ShutdownReason.ZOMBIE]);
    expect(run.table.get(PARENT)!.checkpoint).toBeUndefined();
    expect(run.events.shardEnds).toEqual([]);
  });

  test('a child shard (parents set, no checkpoint) is read from TRIM_HORIZON after the split', async () => {
    const { stream } = await splitStream(2);
    const after = await putRecords(fx.kinesis, stream, payloads(40, 'child'));
    const child = (await listShards(fx.kinesis, stream)).find((s) => s.ShardId === after[0]!.shardId)!;
    expect(child.ParentShardId).toBe(PARENT);
    const lease = await takeTestLease(child.ShardId!, {
      init: {
        parentShardIds: [PARENT],
        hashKeyRange: { startingHashKey: child.HashKeyRange!.StartingHashKey!, endingHashKey: child.HashKeyRange!.EndingHashKey! },
      },
    });
    const config = testConfig(stream).withInitialPositionInStream(InitialPositionInStream.LATEST);
    const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, lease, config });

    await waitFor(() => run.processor.processed.length >= 40, '40 records on the child');
    run.shutdown.abort();
    await run.result;
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(payloads(40, 'child'));
  });
});

/**
 * Resharding mid-run with kinesalite (SplitShard, then MergeShards) under two workers with the polling consumer:
 * parents finish (SHARD_END) before their children start, closed shards are never leased again, nothing is lost.
 */
import { DescribeStreamSummaryCommand, MergeShardsCommand } from '@aws-sdk/client-kinesis';
import { Producer } from '@kcl/testbed';
import { SHARD_END } from '../src/checkpoint/shard-status';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { listShards, splitShard } from './helpers/consumer-kinesis';
import { createTestStream, delay, EventLog, InMemoryLeaseTable, makeWorker, waitFor, workerConfig } from './helpers/worker-harness';
import { LedgerProcessorFactory, newRecordLedger } from './helpers/worker-processor';
import { useWorkerSuite } from './helpers/worker-suite';

const { fx, workers, producers } = useWorkerSuite();

const id = (n: number): string => `shardId-00000000000${n}`;

async function waitActive(stream: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const out = await fx.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await delay(10);
  }
  throw new Error('stream not ACTIVE');
}

test('split then merge mid-run: every parent reaches SHARD_END before its children start, nothing is lost', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
  const table = new InMemoryLeaseTable();
  const ledger = newRecordLedger();
  const events = new EventLog();
  const producer = new Producer(fx.kinesis, stream);
  producers.push(producer);
  producer.start(10, 30);
  for (const workerId of ['a', 'b']) {
    const w = makeWorker(table, fx.kinesis, workerConfig(stream, workerId), {
      factory: new LedgerProcessorFactory(workerId, ledger) as never,
      events,
    });
    workers.push(w);
    await w.worker.start();
  }
  await waitFor(() => ledger.deliveries().length >= 50, 'records flowing');

  // shard 0 -> 2 (lower half) + 3 (upper half); then 3 + 1 (adjacent) -> 4.
  await splitShard(fx.kinesis, stream, id(0));
  await delay(400);
  await fx.kinesis.send(new MergeShardsCommand({ StreamName: stream, ShardToMerge: id(3), AdjacentShardToMerge: id(1) }));
  await waitActive(stream);
  const shards = new Map((await listShards(fx.kinesis, stream)).map((s) => [s.ShardId!, s]));
  expect(shards.get(id(4))?.ParentShardId).toBe(id(3));
  expect(shards.get(id(4))?.AdjacentParentShardId).toBe(id(1));
  await delay(500);
  await producer.stop();

  await waitFor(() => ledger.missing(producer.payloads()).length === 0, 'every record', 15_000);
  await waitFor(() => [0, 1, 3].every((n) => table.get(id(n))?.checkpoint === SHARD_END), 'parents at SHARD_END', 5_000);

  const lineage: Array<[string, string[]]> = [
    [id(2), [id(0)]],
    [id(3), [id(0)]],
    [id(4), [id(3), id(1)]],
  ];
  const terminatedAt = (shardId: string): number => {
    const t = ledger.shutdowns.find((s) => s.shardId === shardId && s.reason === ShutdownReason.TERMINATE);
    if (!t) throw new Error(`${shardId} never ended`);
    return t.at;
  };
  for (const [child, parents] of lineage) {
    const childStart = Math.min(
      ...events
        .of('leaseAcquired')
        .filter((e) => e.shardId === child)
        .map((e) => e.at),
    );
    expect(Number.isFinite(childStart)).toBe(true);
    for (const parent of parents) {
      expect(terminatedAt(parent)).toBeLessThan(childStart);
      expect(ledger.lastEnd(parent)!).toBeLessThan(childStart);
    }
  }
  // Closed shards are never leased again once ended.
  for (const parent of [id(0), id(1), id(3)]) {
    const ended = events.of('shardEnded').find((e) => e.shardId === parent)!;
    expect(events.of('leaseAcquired').filter((e) => e.shardId === parent && e.at > ended.at)).toEqual([]);
  }
  const got = ledger.payloads();
  expect(producer.payloads().filter((p) => !got.has(p))).toEqual([]);
  expect(ledger.orderViolations()).toEqual([]);
  expect(ledger.overlaps()).toEqual([]);
  // The merge child's lease records both parents.
  expect(table.get(id(4))!.parentShardIds).toEqual([id(3), id(1)]);
});

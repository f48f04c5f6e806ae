/**
 * UpdateShardCount 2 -> 4 while two workers consume, on kinesis-local (the only stand-in with UpdateShardCount and
 * ChildShards), each lease store. The periodic shard sync is pushed out of the test's time frame, so the workers can
 * only learn about the children from the ChildShards that GetRecords returns at each parent's end. kinesis-local is
 * slow and slows down as data grows, so the data set is tiny.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { SHARD_END, ShutdownReason } from '@kcl/core';
import { listAllShards, waitFor, waitForStreamActive } from '@kcl/testbed';
import { createTestWorker, describeOverlaps, LEASE_STORE_NAMES, startKinesisLocalBed } from '../src';
import { useEndToEndSuite } from './helpers/e2e-suite';

const { bed, useLeaseStore } = useEndToEndSuite({ startBed: startKinesisLocalBed });

describe.each(LEASE_STORE_NAMES)('%s lease store', (storeName) => {
  const { store, cleanup, newTestStream } = useLeaseStore(storeName);

  test('UpdateShardCount 2 -> 4 mid-run: children found through ChildShards, started after their parents ended, nothing lost', async () => {
    const { streamName, namespace, log, events, producer } = await newTestStream(2);
    producer.start(3, 100);
    for (const workerId of ['a', 'b']) {
      // No periodic ListShards during the test: children can only come from ChildShards.
      const w = createTestWorker({ workerId, streamName, bed, store, namespace, log, events, config: { shardSyncMillis: 600_000 } });
      cleanup.add(() => w.worker.shutdown());
      await w.worker.start();
    }
    await waitFor(() => log.payloads().size >= 20, 'records flowing', 10_000);

    await bed.kinesis.send(new UpdateShardCountCommand({ StreamName: streamName, TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
    await waitForStreamActive(bed.kinesis, streamName);
    const shards = await listAllShards(bed.kinesis, streamName);
    const open = shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined);
    const closed = shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber !== undefined);
    expect(open).toHaveLength(4);
    expect(closed.map((s) => s.ShardId).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    // Let records reach the children, then stop.
    await waitFor(() => open.every((s) => producer.ofShard(s.ShardId as string).length >= 2), 'records in every child', 10_000);
    await delay(300);
    await producer.stop();
    await waitFor(() => log.missing(producer.payloads()).length === 0, 'every record delivered', 20_000);

    const leases = await store.leases(namespace);
    for (const parent of closed) expect(leases.get(parent.ShardId as string)?.checkpoint).toBe(SHARD_END);
    for (const child of open) {
      const childId = child.ShardId as string;
      const parents = [child.ParentShardId, child.AdjacentParentShardId].filter((p): p is string => p !== undefined);
      expect(parents.length).toBeGreaterThan(0);
      expect(leases.get(childId)?.parentShardIds).toEqual(parents);
      const childLeased = Math.min(...events.of('leaseAcquired', { shardId: childId }).map((e) => e.at));
      for (const parent of parents) {
        // The parent reported this child in its ChildShards at shard end (the only way to learn of it here).
        const ended = events.of('shardEnded', { shardId: parent });
        expect(ended).toHaveLength(1);
        expect(ended[0]?.childShards.map((c) => c.shardId)).toContain(childId);
        const terminated = log.shutdownsOf(parent).find((s) => s.reason === ShutdownReason.TERMINATE);
        expect(terminated?.checkpointed).toBe(true);
        expect(terminated?.end).toBeLessThan(childLeased);
        expect(log.lastEnd(parent)).toBeLessThan(log.firstStart(childId) as number);
      }
    }
    expect(log.missing(producer.payloads())).toEqual([]);
    expect(log.orderViolations()).toEqual([]);
    expect(describeOverlaps(log.overlaps())).toEqual([]);
  });
});

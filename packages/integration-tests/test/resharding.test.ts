/**
 * Resharding while two workers consume (kinesalite, each lease store): SplitShard, then MergeShards of one split
 * child with the other original shard. Every child starts only after all its parents (both, for the merge) were
 * read to their end and checkpointed at SHARD_END; closed shards are never leased again; nothing is lost.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { MergeShardsCommand } from '@aws-sdk/client-kinesis';
import { SHARD_END, ShutdownReason } from '@kcl/core';
import { listAllShards, waitFor, waitForStreamActive } from '@kcl/testbed';
import { createTestWorker, describeOverlaps, LEASE_STORE_NAMES, shardId, splitShardInHalf } from '../src';
import { useEndToEndSuite } from './helpers/e2e-suite';

const { bed, useLeaseStore } = useEndToEndSuite();

describe.each(LEASE_STORE_NAMES)('%s lease store', (storeName) => {
  const { store, cleanup, newTestStream } = useLeaseStore(storeName);

  test('split then merge mid-run: children start after their parents reached SHARD_END, nothing is lost', async () => {
    const { streamName, namespace, log, events, producer } = await newTestStream(2);
    producer.start(10, 30);
    for (const workerId of ['a', 'b']) {
      const w = createTestWorker({ workerId, streamName, bed, store, namespace, log, events });
      cleanup.add(() => w.worker.shutdown());
      await w.worker.start();
    }
    await waitFor(() => log.payloads().size >= 60, 'records flowing');

    // shard 0 -> 2 (lower half) + 3 (upper half); then 3 + 1 (adjacent ranges) -> 4.
    await splitShardInHalf(bed.kinesis, streamName, shardId(0));
    await waitForStreamActive(bed.kinesis, streamName);
    await delay(400);
    await bed.kinesis.send(new MergeShardsCommand({ StreamName: streamName, ShardToMerge: shardId(3), AdjacentShardToMerge: shardId(1) }));
    await waitForStreamActive(bed.kinesis, streamName);
    const shards = new Map((await listAllShards(bed.kinesis, streamName)).map((s) => [s.ShardId as string, s]));
    expect(shards.get(shardId(4))?.ParentShardId).toBe(shardId(3));
    expect(shards.get(shardId(4))?.AdjacentParentShardId).toBe(shardId(1));
    await delay(500);
    await producer.stop();

    await waitFor(() => log.missing(producer.payloads()).length === 0, 'every record delivered', 15_000);
    const parents = [shardId(0), shardId(1), shardId(3)];
    await waitFor(
      async () => {
        const leases = await store.leases(namespace);
        return parents.every((id) => leases.get(id)?.checkpoint === SHARD_END);
      },
      'every parent checkpointed at SHARD_END in the lease table',
      5_000,
    );

    const leases = await store.leases(namespace);
    expect(leases.get(shardId(4))?.parentShardIds).toEqual([shardId(3), shardId(1)]);
    expect(leases.get(shardId(2))?.parentShardIds).toEqual([shardId(0)]);
    const lineage: Array<[string, string[]]> = [
      [shardId(2), [shardId(0)]],
      [shardId(3), [shardId(0)]],
      [shardId(4), [shardId(3), shardId(1)]],
    ];
    for (const [child, childParents] of lineage) {
      const childLeased = Math.min(...events.of('leaseAcquired', { shardId: child }).map((e) => e.at));
      const childFirstDelivery = log.firstStart(child);
      expect(childFirstDelivery).toBeDefined();
      for (const parent of childParents) {
        // The parent's processor checkpointed SHARD_END (TERMINATE) before the child's lease was even taken...
        const ended = log.shutdownsOf(parent).find((s) => s.reason === ShutdownReason.TERMINATE);
        expect(ended?.checkpointed).toBe(true);
        expect(ended?.end).toBeLessThan(childLeased);
        // ...and the parent's last delivery came before the child's first.
        expect(log.lastEnd(parent)).toBeLessThan(childFirstDelivery as number);
      }
    }
    // Closed shards are never leased again once ended.
    for (const parent of parents) {
      const ended = events.of('shardEnded', { shardId: parent });
      expect(ended).toHaveLength(1);
      expect(events.of('leaseAcquired', { shardId: parent }).filter((e) => e.at > (ended[0]?.at ?? 0))).toEqual([]);
    }
    expect(log.missing(producer.payloads())).toEqual([]);
    expect(log.orderViolations()).toEqual([]);
    expect(describeOverlaps(log.overlaps())).toEqual([]);
    // Records written to the children after the reshard were delivered from the children.
    for (const child of [shardId(2), shardId(4)]) expect(producer.ofShard(child).length).toBeGreaterThan(0);
  });
});

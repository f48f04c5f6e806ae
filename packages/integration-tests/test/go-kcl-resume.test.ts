/**
 * go-kcl compatibility end to end, with each lease store: the lease table holds rows exactly as go-kcl writes them
 * (DynamoDB items / Redis hashes with ShardID, AssignedTo, LeaseTimeout in RFC3339Nano, Checkpoint; no @kcl fields)
 * for a go-kcl application stopped in the middle of the stream. A @kcl Worker takes the leases - an unowned one at
 * once, the ones still assigned to the dead go-kcl worker after one failover time, whatever their LeaseTimeout says -
 * and resumes right after go-kcl's checkpoints: no record before them is delivered, none after them is missed.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { waitFor } from '@kcl/testbed';
import { createTestWorker, DeliveryLog, LEASE_STORE_NAMES, readRawLeaseFields, shardId, TIMINGS, WorkerEventLog, writeGoKclLeases } from '../src';
import { useEndToEndSuite } from './helpers/e2e-suite';

const SLACK_MILLIS = 1_500;
const DEAD_GO_WORKER = 'go-kcl-worker-7f3c';

const { bed, useLeaseStore } = useEndToEndSuite();

describe.each(LEASE_STORE_NAMES)('%s lease store', (storeName) => {
  const { store, cleanup, newTestStream } = useLeaseStore(storeName);

  test('a @kcl worker takes over go-kcl leases and resumes after their checkpoints', async () => {
    const { streamName, namespace, producer } = await newTestStream(3);
    await producer.put(150);
    const shards = [shardId(0), shardId(1), shardId(2)];
    const checkpoints = new Map<string, string>();
    for (const id of shards) {
      const records = producer.ofShard(id);
      expect(records.length).toBeGreaterThan(10);
      checkpoints.set(id, (records[Math.floor(records.length / 2)] as { sequenceNumber: string }).sequenceNumber);
    }
    const hour = 3_600_000;
    await writeGoKclLeases(store.spec(namespace), [
      // go-kcl would call this lease valid for another hour: @kcl never trusts another machine's clock.
      {
        shardId: shards[0] as string,
        assignedTo: DEAD_GO_WORKER,
        leaseTimeout: new Date(Date.now() + hour),
        checkpoint: checkpoints.get(shards[0] as string) as string,
      },
      {
        shardId: shards[1] as string,
        assignedTo: DEAD_GO_WORKER,
        leaseTimeout: new Date(Date.now() - hour),
        checkpoint: checkpoints.get(shards[1] as string) as string,
      },
      // Released by go-kcl on its shutdown: no owner.
      { shardId: shards[2] as string, checkpoint: checkpoints.get(shards[2] as string) as string },
    ]);

    const log = new DeliveryLog();
    const events = new WorkerEventLog();
    const w = createTestWorker({ workerId: 'kcl-1', streamName, bed, store, namespace, log, events });
    cleanup.add(() => w.worker.shutdown());
    const startedAt = performance.now();
    await w.worker.start();
    // The unowned lease is taken at once; the dead go-kcl worker's leases wait one failover time.
    expect(w.worker.heldShards()).toEqual([shards[2]]);
    producer.start(5, 50);
    await waitFor(() => w.worker.heldShards().length === 3, 'the go-kcl worker’s leases', 10_000);
    for (const id of [shards[0], shards[1]] as string[]) {
      const takenAfter = (events.of('leaseAcquired', { shardId: id })[0]?.at as number) - startedAt;
      expect(takenAfter).toBeGreaterThanOrEqual(TIMINGS.failoverMillis);
      expect(takenAfter).toBeLessThan(TIMINGS.failoverMillis + TIMINGS.refreshMillis + SLACK_MILLIS);
    }
    await delay(300);
    await producer.stop();
    const expected = producer.produced.filter((r) => BigInt(r.sequenceNumber) > BigInt(checkpoints.get(r.shardId) as string));
    await waitFor(() => log.missing(expected.map((r) => r.data)).length === 0, 'every record after the go-kcl checkpoints', 10_000);

    for (const id of shards) {
      const checkpoint = BigInt(checkpoints.get(id) as string);
      const delivered = log.deliveries().filter((d) => d.batch.shardId === id);
      // Nothing at or before go-kcl's checkpoint; the first record is the one right after it.
      expect(delivered.filter((d) => BigInt(d.sequenceNumber) <= checkpoint)).toEqual([]);
      expect(delivered[0]?.sequenceNumber).toBe(producer.ofShard(id).find((r) => BigInt(r.sequenceNumber) > checkpoint)?.sequenceNumber);
    }
    expect(log.missing(expected.map((r) => r.data))).toEqual([]);
    expect(log.duplicates()).toEqual([]);
    expect(log.orderViolations()).toEqual([]);

    // What go-kcl would read back: its own columns, now with @kcl's owner, checkpoint and an RFC 3339 LeaseTimeout.
    await waitFor(
      async () => [...(await store.leases(namespace)).values()].every((l) => l.checkpoint === producer.ofShard(l.id).at(-1)?.sequenceNumber),
      'checkpoints at the last record',
      5_000,
    );
    const raw = await readRawLeaseFields(store.spec(namespace), shards);
    for (const id of shards) {
      const fields = raw.get(id) ?? {};
      expect(fields['ShardID']).toBe(id);
      expect(fields['AssignedTo']).toBe('kcl-1');
      expect(fields['Checkpoint']).toBe(producer.ofShard(id).at(-1)?.sequenceNumber);
      expect(fields['LeaseTimeout']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    }
  });
});

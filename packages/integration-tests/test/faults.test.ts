/**
 * Faults with each lease store: Kinesis throttling, expired iterators and 5xx injected with SDK middleware on the
 * worker's own KinesisClient (the emulators never produce them), and a record processor that throws now and then.
 * Every record arrives, in order, exactly once (the processor checkpoints every batch), and a batch the processor
 * rejected comes back unchanged.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { injectKinesisFaults, waitFor, type KinesisFaultKind } from '@kcl/testbed';
import { createTestWorker, LEASE_STORE_NAMES, STEADY_TIMINGS, type DeliveryBatch } from '../src';
import { useEndToEndSuite } from './helpers/e2e-suite';

const { bed, useLeaseStore } = useEndToEndSuite();

const GET_RECORDS_FAULTS: KinesisFaultKind[] = ['throttled', 'expiredIterator', 'internalError', 'serviceUnavailable'];

describe.each(LEASE_STORE_NAMES)('%s lease store', (storeName) => {
  const { store, cleanup, newTestStream } = useLeaseStore(storeName);

  test('throttling, expired iterators and 5xx from Kinesis: every record exactly once, in order', async () => {
    const { streamName, namespace, log, events, producer } = await newTestStream(3);
    await producer.put(300);
    const kinesis = bed.newClient();
    // Every 3rd GetRecords of each shard fails (cycling through the kinds); so does every 3rd GetShardIterator.
    const counters = injectKinesisFaults(kinesis, ({ command, shardId, call }) => {
      if (shardId === undefined || call % 3 !== 2) return undefined;
      if (command === 'GetRecordsCommand') return GET_RECORDS_FAULTS[Math.floor(call / 3) % 4];
      return command === 'GetShardIteratorCommand' ? 'internalError' : undefined;
    });
    const w = createTestWorker({
      workerId: 'w',
      streamName,
      bed,
      store,
      namespace,
      log,
      events,
      kinesis,
      config: { ...STEADY_TIMINGS, maxRecords: 25 },
    });
    cleanup.add(() => w.worker.shutdown());
    await w.worker.start();
    producer.start(5, 50);
    await waitFor(() => GET_RECORDS_FAULTS.every((kind) => (counters.injected.get(kind) ?? 0) >= 2), 'every kind of fault, twice', 15_000);
    await producer.stop();
    await waitFor(() => log.missing(producer.payloads()).length === 0, 'every record delivered', 15_000);
    await delay(200);

    expect(log.missing(producer.payloads())).toEqual([]);
    expect(log.orderViolations()).toEqual([]);
    // An expired iterator is renewed after the last record delivered, so nothing comes twice.
    expect(log.duplicates()).toEqual([]);
    // The worker saw (and reported) each fault and carried on; the lease never moved.
    const reported = new Set(events.of('error').map((e) => (e.error as { name?: string }).name));
    for (const name of ['ProvisionedThroughputExceededException', 'ExpiredIteratorException', 'InternalFailure', 'ServiceUnavailable']) {
      expect(reported).toContain(name);
    }
    expect(events.of('leaseLost')).toEqual([]);
    expect(w.worker.heldShards()).toHaveLength(3);
    // Every shard had its share of faults.
    for (const shardId of w.worker.heldShards()) expect(counters.calls.get(`GetRecordsCommand ${shardId}`)).toBeGreaterThanOrEqual(6);
  });

  test('a processor that throws now and then gets the same batch again: nothing lost, nothing skipped', async () => {
    const { streamName, namespace, log, events, producer } = await newTestStream(2);
    // Calls 1, 2 of every 5 throw: a batch fails twice in a row, then is accepted.
    const w = createTestWorker({
      workerId: 'w',
      streamName,
      bed,
      store,
      namespace,
      log,
      events,
      config: { ...STEADY_TIMINGS, maxRecords: 20 },
      processor: { failWhen: ({ call }) => call % 5 === 1 || call % 5 === 2 },
    });
    cleanup.add(() => w.worker.shutdown());
    producer.start(10, 40);
    await w.worker.start();
    await waitFor(() => log.batches.filter((b) => b.failed).length >= 12, 'a dozen processor failures', 15_000);
    await producer.stop();
    await waitFor(() => log.missing(producer.payloads()).length === 0, 'every record delivered', 15_000);

    expect(log.missing(producer.payloads())).toEqual([]);
    expect(log.orderViolations()).toEqual([]);
    expect(log.duplicates()).toEqual([]);
    // After each failure, the same processor gets exactly the same records again.
    const byInstance = new Map<string, DeliveryBatch[]>();
    for (const b of log.batches) byInstance.set(b.instance, [...(byInstance.get(b.instance) ?? []), b]);
    let retried = 0;
    for (const calls of byInstance.values()) {
      calls.forEach((batch, i) => {
        const next = calls[i + 1];
        if (!batch.failed || next === undefined) return;
        expect(next.records.map((r) => r.sequenceNumber)).toEqual(batch.records.map((r) => r.sequenceNumber));
        retried += 1;
      });
    }
    expect(retried).toBeGreaterThanOrEqual(12);
    // Reported as processorError with the attempt number: 1 then 2 for each batch that failed twice.
    const attempts = events.of('processorError').map((e) => e.attempt);
    expect(attempts.length).toBe(log.batches.filter((b) => b.failed).length);
    expect(new Set(attempts)).toEqual(new Set([1, 2]));
    expect(events.of('leaseLost')).toEqual([]);
  });
});

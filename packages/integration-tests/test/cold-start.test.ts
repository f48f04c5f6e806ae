/**
 * Cold start with each lease store: a new worker on a stream with data and an empty lease table (the DynamoDB table
 * does not even exist yet) takes every lease at once, and the first record reaches the processor within a couple of
 * seconds of start() (go-kcl needs 30-90 s for its first lease).
 */
import { createTestStream } from '@kcl/testbed';
import {
  Cleanup,
  createTestWorker,
  DeliveryLog,
  LEASE_STORE_NAMES,
  LeaseStoreServer,
  newNamespace,
  Producer,
  startKinesaliteBed,
  trackUnhandledRejections,
  waitFor,
  type KinesisBed,
} from '../src';

/** Generous on a loaded 2-core machine; typically a few hundred ms. */
const FIRST_RECORD_BOUND_MILLIS = 3_000;

const rejections = trackUnhandledRejections();
let bed: KinesisBed;

beforeAll(async () => {
  bed = await startKinesaliteBed();
});
afterAll(async () => {
  await bed.stop();
  rejections.dispose();
});

describe.each(LEASE_STORE_NAMES)('%s lease store', (storeName) => {
  let store: LeaseStoreServer;
  const cleanup = new Cleanup();

  beforeAll(async () => {
    store = await LeaseStoreServer.start(storeName);
  });
  afterEach(async () => {
    await cleanup.run();
    await store.closeCheckpointers();
    expect(rejections.errors).toEqual([]);
  });
  afterAll(async () => {
    await store.stop();
  });

  test(`the first record reaches the processor within ${FIRST_RECORD_BOUND_MILLIS} ms of start()`, async () => {
    const streamName = await createTestStream(bed.kinesis, { shardCount: 4 });
    const producer = new Producer(bed.kinesis, streamName);
    await producer.put(200);
    const log = new DeliveryLog();
    const w = createTestWorker({ workerId: 'w', streamName, bed, store, namespace: newNamespace(), log });
    cleanup.add(() => w.worker.shutdown());

    const startedAt = performance.now();
    await w.worker.start();
    const startMillis = performance.now() - startedAt;
    // start() resolves once the leases are taken: all of them at once, no waiting for a failover time.
    expect(w.worker.heldShards()).toHaveLength(4);
    expect(startMillis).toBeLessThan(FIRST_RECORD_BOUND_MILLIS);
    await waitFor(() => log.batches.length > 0, 'the first record', FIRST_RECORD_BOUND_MILLIS);
    expect((log.batches[0] as { start: number }).start - startedAt).toBeLessThan(FIRST_RECORD_BOUND_MILLIS);
    await waitFor(() => log.missing(producer.payloads()).length === 0, 'every record', 10_000);
    expect(log.orderViolations()).toEqual([]);
    expect(log.duplicates()).toEqual([]);
  });
});

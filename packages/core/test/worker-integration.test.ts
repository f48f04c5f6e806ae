/**
 * Workers with the real polling consumer against kinesalite, sharing one in-memory lease table: start-up latency,
 * exclusivity while workers come and go, at-least-once in-order delivery, hand-over and stealing without duplicates.
 */
import { getEventListeners, getMaxListeners } from 'node:events';
import { Producer } from '@kcl/testbed';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { pollingShardConsumerFactory } from '../src/worker/default-consumer-factory';
import type { ShardConsumerFactory } from '../src/consumers/shard-consumer';
import { createTestStream, delay, EventLog, InMemoryLeaseTable, makeWorker, waitFor, workerConfig, type TestWorker } from './helpers/worker-harness';
import { LedgerProcessorFactory, newRecordLedger, type LedgerProcessorOptions, type RecordLedger } from './helpers/worker-processor';
import { useWorkerSuite } from './helpers/worker-suite';

const { fx, workers, producers } = useWorkerSuite();

function worker(
  stream: string,
  table: InMemoryLeaseTable,
  id: string,
  ledger: RecordLedger,
  options: { events?: EventLog; stealing?: boolean; processor?: LedgerProcessorOptions } = {},
): TestWorker {
  const config = workerConfig(stream, id, options.stealing ? { stealing: 200 } : {});
  const factory = new LedgerProcessorFactory(id, ledger, options.processor);
  const w = makeWorker(table, fx.kinesis, config, { factory: factory as never, ...(options.events ? { events: options.events } : {}) });
  workers.push(w);
  return w;
}

function expectAllDelivered(ledger: RecordLedger, producer: Producer): void {
  const got = ledger.payloads();
  const missing = producer.payloads().filter((p) => !got.has(p));
  expect(missing).toEqual([]);
  expect(ledger.orderViolations()).toEqual([]);
  expect(ledger.overlaps()).toEqual([]);
}

test('cold start: the first record reaches the processor quickly and every record follows', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
  const producer = new Producer(fx.kinesis, stream);
  producers.push(producer);
  await producer.put(200);
  const ledger = newRecordLedger();
  const w = worker(stream, new InMemoryLeaseTable(), 'w1', ledger);
  const t0 = performance.now();
  await w.worker.start();
  expect(w.worker.heldShards()).toHaveLength(4);
  await waitFor(() => ledger.deliveries().length > 0, 'first record');
  const firstRecordMillis = performance.now() - t0;
  // go-kcl needs 30-90 s for its first lease; here it is typically well under a second on a local emulator.
  expect(firstRecordMillis).toBeLessThan(5_000);
  await waitFor(() => ledger.payloads().size === 200, 'every record');
  expectAllDelivered(ledger, producer);
  expect(ledger.duplicates()).toEqual([]);
});

test('three workers come and go on a 4-shard stream: one owner per shard at a time, every record at least once, in order', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
  const table = new InMemoryLeaseTable();
  const ledger = newRecordLedger();
  const producer = new Producer(fx.kinesis, stream);
  producers.push(producer);
  producer.start(10, 30);
  const a = worker(stream, table, 'a', ledger, { stealing: true });
  const b = worker(stream, table, 'b', ledger, { stealing: true });
  const c = worker(stream, table, 'c', ledger, { stealing: true });
  await a.worker.start();
  await delay(300);
  await b.worker.start();
  await c.worker.start();
  // Stealing spreads the leases: 2/1/1.
  await waitFor(() => [a, b, c].every((w) => w.worker.heldShards().length >= 1), 'every worker holding a lease', 10_000);
  await delay(300);
  await b.worker.shutdown(); // graceful: its leases move at once
  await delay(300);
  c.store.fault = 'hang'; // c's store stops answering: c gives its shards up, a takes them after the failover time
  await waitFor(() => a.worker.heldShards().length === 4, 'a holding every shard', 10_000);
  await delay(300);
  await producer.stop();
  // a re-reads c's shards from their last checkpoints: on a loaded machine (CI) that catch-up can take over 10 s.
  await waitFor(() => ledger.missing(producer.payloads()).length === 0, 'every record', 30_000);

  expectAllDelivered(ledger, producer);
  const zombies = ledger.shutdowns.filter((s) => s.workerId === 'c' && s.reason === ShutdownReason.ZOMBIE);
  expect(zombies.length).toBeGreaterThanOrEqual(1);
  expect(ledger.shutdowns.filter((s) => s.workerId === 'b').every((s) => s.reason === ShutdownReason.REQUESTED)).toBe(true);
});

test('graceful shutdown with a checkpointing processor: the next worker continues without a single duplicate', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
  const table = new InMemoryLeaseTable();
  const ledger = newRecordLedger();
  const events = new EventLog();
  const producer = new Producer(fx.kinesis, stream);
  producers.push(producer);
  producer.start(10, 30);
  const a = worker(stream, table, 'a', ledger, { events });
  await a.worker.start();
  const b = worker(stream, table, 'b', ledger, { events });
  await b.worker.start();
  await waitFor(() => ledger.deliveries().length >= 100, 'a delivering');
  await a.worker.shutdown();
  const releasedAt = performance.now();
  await waitFor(() => b.worker.heldShards().length === 4, 'b holding every shard', 3_000);
  expect(Math.max(...events.of('leaseAcquired', 'b').map((e) => e.at)) - releasedAt).toBeLessThan(500);
  await delay(300);
  await producer.stop();
  await waitFor(() => ledger.missing(producer.payloads()).length === 0, 'every record', 10_000);

  expectAllDelivered(ledger, producer);
  expect(ledger.duplicates()).toEqual([]);
  expect(new Set(ledger.deliveries().map((d) => d.batch.workerId))).toEqual(new Set(['a', 'b']));
});

test('balancing hands leases over in parallel; the owner checkpoints before letting go, so nothing repeats', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
  const table = new InMemoryLeaseTable();
  const ledger = newRecordLedger();
  const events = new EventLog();
  const producer = new Producer(fx.kinesis, stream);
  producers.push(producer);
  producer.start(10, 30);
  const a = worker(stream, table, 'a', ledger, { events, stealing: true });
  await a.worker.start();
  await waitFor(() => ledger.deliveries().length >= 50, 'a delivering');
  let maxOutstanding = 0;
  const sampler = setInterval(() => {
    const n = table.list().filter((l) => l.claimRequest === 'b' && l.assignedTo !== 'b').length;
    maxOutstanding = Math.max(maxOutstanding, n);
  }, 3);
  const b = worker(stream, table, 'b', ledger, { events, stealing: true });
  await b.worker.start();
  await waitFor(() => b.worker.heldShards().length === 2, 'b at its fair share', 10_000);
  clearInterval(sampler);
  await delay(300);
  await producer.stop();
  await waitFor(() => ledger.missing(producer.payloads()).length === 0, 'every record', 10_000);

  expect(maxOutstanding).toBe(2); // both claims in one balancing round
  expect(events.of('leaseLost', 'a').map((e) => e.reason)).toEqual(['handoff', 'handoff']);
  expect(ledger.shutdowns.filter((s) => s.workerId === 'a').map((s) => s.reason)).toEqual([ShutdownReason.REQUESTED, ShutdownReason.REQUESTED]);
  expectAllDelivered(ledger, producer);
  expect(ledger.duplicates()).toEqual([]);
});

test('a worker with more than 10 leases warns of no listener leak (each consumer listens on the worker-wide shutdown signal)', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 12 });
  let shutdownSignal: AbortSignal | undefined;
  const factory: ShardConsumerFactory = (deps) => {
    shutdownSignal = deps.shutdownSignal;
    return pollingShardConsumerFactory(deps);
  };
  const w = makeWorker(new InMemoryLeaseTable(), fx.kinesis, workerConfig(stream, 'w1'), { shardConsumerFactory: factory });
  workers.push(w);
  await w.worker.start();
  expect(w.worker.heldShards()).toHaveLength(12);
  await delay(200); // every consumer running
  const signal = shutdownSignal as AbortSignal;
  const listeners = getEventListeners(signal, 'abort').length;
  expect(listeners).toBeGreaterThanOrEqual(12);
  // Node warns (MaxListenersExceededWarning, "possible EventTarget memory leak") once listeners exceed the maximum,
  // 10 by default: one listener per consumer is no leak (each is removed when its consumer ends).
  let max: number;
  try {
    max = getMaxListeners(signal);
  } catch {
    max = 0; // Node 20's getMaxListeners throws for an EventTarget whose limit is 0 (unlimited)
  }
  expect(max === 0 || listeners <= max).toBe(true);
});

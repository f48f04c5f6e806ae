/**
 * `maxConcurrentGetRecords`: the gate the polling consumers of a worker share (slots, first come first served,
 * aborted waits), and a worker on kinesalite whose consumers never have more GetRecords / GetShardIterator calls in
 * flight than the bound, yet deliver every record.
 */
import { Producer } from '@kcl/testbed';
import { AbortedError } from '../src/errors';
import { iteratorCallLimit, KinesisCallGate, MAX_ITERATOR_CALLS_IN_FLIGHT } from '../src/consumers/kinesis-call-gate';
import { createKinesisClient } from '../src/kinesis/client-factory';
import { LOCAL_CREDENTIALS } from '@kcl/testbed';
import { createTestStream, InMemoryLeaseTable, makeWorker, waitFor, workerConfig } from './helpers/worker-harness';
import { LedgerProcessorFactory, newRecordLedger } from './helpers/worker-processor';
import { startKinesisFaultProxy, type KinesisFaultProxy } from './helpers/kinesis-fault-proxy';
import { useWorkerSuite } from './helpers/worker-suite';

describe('KinesisCallGate', () => {
  test('at most `limit` slots; waiters get freed slots in the order they came', async () => {
    const gate = new KinesisCallGate(2);
    expect(gate.tryAcquire()).toBe(true);
    expect(gate.tryAcquire()).toBe(true);
    expect(gate.tryAcquire()).toBe(false);
    const order: string[] = [];
    const signal = new AbortController().signal;
    const a = gate.wait(signal).then(() => order.push('a'));
    const b = gate.wait(signal).then(() => order.push('b'));
    expect(gate.queued).toBe(2);
    gate.release();
    await a;
    expect(order).toEqual(['a']);
    expect(gate.active).toBe(2);
    // A newcomer does not jump the queue while someone waits.
    expect(gate.tryAcquire()).toBe(false);
    gate.release();
    await b;
    expect(order).toEqual(['a', 'b']);
    gate.release();
    gate.release();
    expect(gate.active).toBe(0);
    expect(gate.tryAcquire()).toBe(true);
  });

  test('an aborted wait rejects with AbortedError, holds no slot and does not block the others', async () => {
    const gate = new KinesisCallGate(1);
    expect(gate.tryAcquire()).toBe(true);
    const stop = new AbortController();
    const gaveUp = gate.wait(stop.signal);
    const keep = gate.wait(new AbortController().signal);
    stop.abort(new Error('lease lost'));
    await expect(gaveUp).rejects.toBeInstanceOf(AbortedError);
    gate.release();
    await keep; // the slot went to the waiter still waiting
    expect(gate.active).toBe(1);
    gate.release();

    // Only aborted waiters queued: a free slot is taken at once.
    expect(gate.tryAcquire()).toBe(true);
    const late = new AbortController();
    const dropped = gate.wait(late.signal);
    late.abort();
    await expect(dropped).rejects.toBeInstanceOf(AbortedError);
    gate.release();
    expect(gate.tryAcquire()).toBe(true);
    gate.release();
    await expect(gate.wait(late.signal)).rejects.toBeInstanceOf(AbortedError);
  });

  test('bad limits and a release without a slot are refused', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new KinesisCallGate(bad)).toThrow(/limit must be an integer >= 1/);
    expect(() => new KinesisCallGate(1).release()).toThrow(/without a slot/);
  });

  test('iterator calls: a quarter of maxConcurrentGetRecords, at least 1, at most 16', () => {
    expect(MAX_ITERATOR_CALLS_IN_FLIGHT).toBe(16);
    expect(iteratorCallLimit(64)).toBe(16); // the default
    expect(iteratorCallLimit(10_000)).toBe(16);
    expect(iteratorCallLimit(8)).toBe(2);
    expect(iteratorCallLimit(7)).toBe(1);
    expect(iteratorCallLimit(1)).toBe(1);
  });
});

describe('a worker with maxConcurrentGetRecords', () => {
  const { fx, workers, producers } = useWorkerSuite();

  /**
   * `records` put on a `shards`-shard stream, then one worker with `configure`d config reading them through a fault
   * proxy (which counts the reads in flight) until every record arrived; `whileRunning` runs before the shutdown.
   */
  async function runThroughProxy(
    shards: number,
    records: number,
    configure: (config: ReturnType<typeof workerConfig>) => ReturnType<typeof workerConfig>,
    setUpProxy: (proxy: KinesisFaultProxy) => void,
    whileRunning: (proxy: KinesisFaultProxy) => Promise<void> = async () => {},
  ): Promise<KinesisFaultProxy> {
    const stream = await createTestStream(fx.kinesis, { shardCount: shards });
    const producer = new Producer(fx.kinesis, stream);
    producers.push(producer);
    await producer.put(records);
    const proxy = await startKinesisFaultProxy(fx.server.endpoint);
    setUpProxy(proxy);
    const kinesis = createKinesisClient({
      regionName: 'us-east-1',
      kinesisEndpoint: proxy.endpoint,
      kinesisCredentials: { ...LOCAL_CREDENTIALS },
      maxRetryCount: 2,
    });
    try {
      const ledger = newRecordLedger();
      const w = makeWorker(new InMemoryLeaseTable(), kinesis, configure(workerConfig(stream, 'w1')), {
        factory: new LedgerProcessorFactory('w1', ledger) as never,
      });
      workers.push(w);
      await w.worker.start();
      await waitFor(() => ledger.payloads().size === records, 'every record', 30_000);
      await whileRunning(proxy);
      await w.worker.shutdown();
      const missing = producer.payloads().filter((p) => !ledger.payloads().has(p));
      expect(missing).toEqual([]);
      expect(ledger.orderViolations()).toEqual([]);
      return proxy;
    } finally {
      kinesis.destroy();
      await proxy.stop();
    }
  }

  test('8 shards, a bound of 2: never more than 2 reads in flight at the server, every record delivered', async () => {
    const proxy = await runThroughProxy(
      8,
      400,
      (config) => config.withMaxConcurrentGetRecords(2).withIdleTimeBetweenReadsInMillis(20),
      () => {},
      async (running) => {
        // Keep polling idle shards for a while: 8 consumers with a 20 ms idle wait would have up to 8 calls in flight.
        const reads = running.requests.length;
        await waitFor(() => running.requests.length > reads + 200, 'more idle polls', 30_000);
      },
    );
    expect(proxy.maxReadsInFlight).toBeGreaterThan(0);
    expect(proxy.maxReadsInFlight).toBeLessThanOrEqual(2);
  });

  test('12 shards starting together, a bound of 8: at most 2 GetShardIterator calls in flight, every record delivered', async () => {
    const proxy = await runThroughProxy(
      12,
      240,
      (config) => config.withMaxConcurrentGetRecords(8).withIdleTimeBetweenReadsInMillis(50),
      (unstarted) => {
        // Slow iterator answers, so that the consumers started by one take pass overlap at the server.
        unstarted.decide = (request) => ({
          kind: 'forward',
          delayMillis: request.target === 'Kinesis_20131202.GetShardIterator' ? 150 : 0,
        });
      },
    );
    const iteratorCalls = proxy.requests.filter((r) => r.target === 'Kinesis_20131202.GetShardIterator').length;
    expect(iteratorCalls).toBeGreaterThanOrEqual(12);
    // 12 consumers waiting 150 ms each for an iterator: without their own bound up to 8 would be in flight.
    expect(proxy.maxIteratorsInFlight).toBe(2);
    expect(proxy.maxReadsInFlight).toBeLessThanOrEqual(8);
  });
});

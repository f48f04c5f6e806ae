/**
 * The worker closes the lease store it uses when it stops (shutdown(), or a start() that failed after init()),
 * unless withCheckpointer(c, { closeOnShutdown: false }); and it closes it only once no call is in flight any more
 * (a renewal started just before the shutdown is awaited, bounded by the grace period). Kinesalite for ListShards,
 * the in-memory lease store behind a probe that counts calls in flight.
 */
import type { Checkpointer } from '../src/checkpoint/checkpointer';
import { LeaseStoreError, LeaseStoreUnavailableError } from '../src/errors';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { InMemoryCheckpointer } from '../src/testing';
import { Worker } from '../src/worker/worker';
import { DeliveryLedger, fakeConsumerFactory } from './helpers/worker-fake-consumer';
import { createTestStream, InMemoryLeaseTable, TestProcessorFactory, waitFor, workerConfig } from './helpers/worker-harness';
import { useWorkerSuite } from './helpers/worker-suite';

const { fx, cleanup } = useWorkerSuite();

/** Wraps a checkpointer: counts calls in flight per operation, and records what was in flight when close() came. */
class StoreProbe {
  readonly inFlight = new Map<string, number>();
  closeCalls = 0;
  inFlightAtClose: string[] | undefined;
  readonly checkpointer: Checkpointer;

  constructor(readonly inner: InMemoryCheckpointer) {
    this.checkpointer = new Proxy(inner, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const name = String(property);
        return (...args: unknown[]): unknown => {
          if (name === 'close') {
            this.closeCalls += 1;
            this.inFlightAtClose ??= this.pending();
          }
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!(result instanceof Promise)) return result;
          this.inFlight.set(name, (this.inFlight.get(name) ?? 0) + 1);
          return result.finally(() => this.inFlight.set(name, (this.inFlight.get(name) ?? 1) - 1));
        };
      },
    });
  }

  /** Operations with a call in flight right now. */
  pending(): string[] {
    return [...this.inFlight.entries()].filter(([, n]) => n > 0).map(([op]) => op);
  }
}

function newWorker(
  streamName: string,
  options: { closeOnShutdown?: boolean; fanOut?: boolean; grace?: number; failover?: number; refresh?: number; checkpointEachRecord?: boolean } = {},
): { worker: Worker; table: InMemoryLeaseTable; probe: StoreProbe; factory: TestProcessorFactory } {
  const table = new InMemoryLeaseTable();
  const { grace = 5_000, failover, refresh } = options;
  let config = workerConfig(streamName, 'w1', { grace, ...(failover ? { failover } : {}), ...(refresh ? { refresh } : {}) });
  if (options.fanOut) config = config.withEnhancedFanOutConsumer(true);
  const probe = new StoreProbe(new InMemoryCheckpointer(table, config));
  const factory = new TestProcessorFactory();
  const worker = new Worker(
    factory,
    config,
    options.fanOut
      ? {}
      : { shardConsumerFactory: fakeConsumerFactory({ ledger: new DeliveryLedger(), checkpointEachRecord: options.checkpointEachRecord ?? true }) },
  )
    .withKinesis(fx.kinesis)
    .withCheckpointer(probe.checkpointer, options.closeOnShutdown === undefined ? undefined : { closeOnShutdown: options.closeOnShutdown });
  cleanup.push(async () => {
    table.resume();
    await worker.shutdown();
  });
  return { worker, table, probe, factory };
}

describe('closing the lease store', () => {
  test('shutdown() closes an injected checkpointer by default, once', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
    const { worker, probe } = newWorker(stream);
    await worker.start();
    await worker.shutdown();
    await worker.shutdown();
    expect(probe.closeCalls).toBe(1);
    await expect(probe.inner.listLeases()).rejects.toBeInstanceOf(LeaseStoreError); // closed
  });

  test('withCheckpointer(c, { closeOnShutdown: false }) leaves it open for its other users', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
    const { worker, probe } = newWorker(stream, { closeOnShutdown: false });
    await worker.start();
    await worker.shutdown();
    expect(probe.closeCalls).toBe(0);
    expect((await probe.inner.listLeases()).map((l) => l.assignedTo)).toEqual([undefined, undefined]);
  });

  test('a start() that fails after the store was initialised closes it', async () => {
    // Enhanced fan-out registration runs after checkpointer.init() and fails on kinesalite (no fan-out support).
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const { worker, table, probe } = newWorker(stream, { fanOut: true });
    await expect(worker.start()).rejects.toThrow();
    expect(table.callCount('init')).toBe(1);
    expect(probe.closeCalls).toBe(1);
  });

  test('a start() that fails before the store was touched leaves it open, so start() can be tried again', async () => {
    const { worker, table, probe } = newWorker('stream-created-later');
    await expect(worker.start()).rejects.toThrow(/stream-created-later/);
    expect(table.callCount('init')).toBe(0);
    expect(probe.closeCalls).toBe(0);
    await createTestStream(fx.kinesis, { shardCount: 1, name: 'stream-created-later' });
    await worker.start();
    expect(worker.heldShards()).toEqual(['shardId-000000000000']);
  });
  test('a start() whose store init() fails leaves the store to itself, so a later start() can use it', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const { worker, table, probe } = newWorker(stream);
    table.failNext('init', new LeaseStoreUnavailableError('simulated: store unreachable'));
    await expect(worker.start()).rejects.toBeInstanceOf(LeaseStoreUnavailableError);
    expect(probe.closeCalls).toBe(0);
    await worker.start();
    expect(worker.heldShards()).toEqual(['shardId-000000000000']);
  });
});

describe('lease-store calls in flight at shutdown', () => {
  test('a renewal started just before shutdown() settles before the store is closed and before shutdown() resolves', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    // The wait is bounded by one refresh period (1 s here): a 300 ms renewal is waited for.
    const { worker, table, probe } = newWorker(stream, { failover: 3_000, refresh: 1_000 });
    await worker.start();
    // From now on every renewal (renewLeases: one batch call per tick) is slow; the release at shutdown is not.
    table.setLatency((op) => (op === 'renewLeases' ? 300 : 0));
    await waitFor(() => probe.pending().includes('renewLeases'), 'a renewal in flight');
    await worker.shutdown();
    expect(probe.closeCalls).toBe(1);
    expect(probe.inFlightAtClose).toEqual([]);
    expect(probe.pending()).toEqual([]);
  });

  test('the wait is bounded (refresh period, grace period): a call that never returns does not hold shutdown()', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const { worker, table, probe } = newWorker(stream, { grace: 1_000 });
    await worker.start();
    table.pause(); // every call from now on hangs
    await waitFor(() => probe.pending().includes('renewLeases'), 'a renewal hanging');
    await worker.shutdown(); // resolves (the test would time out otherwise)
    expect(probe.closeCalls).toBe(1);
    expect(probe.inFlightAtClose).toContain('renewLeases');
  });

  test('a store that does not answer: the fleet loops and leaving the fleet are awaited one refresh period each, then the processors stop', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    // Leases stay valid for 8 s: only the shutdown itself can stop the processor within the test. The consumer does
    // not checkpoint while processing (a checkpoint would hang too and keep it from seeing the shutdown).
    const { worker, table, probe, factory } = newWorker(stream, { grace: 3_000, failover: 10_000, refresh: 300, checkpointEachRecord: false });
    await worker.start();
    expect(factory.processors).toHaveLength(1);
    table.pause(); // from now on every call hangs: releasing the leader role and leaving the registry too
    // A membership round (heartbeat, leader renewal) is in flight when shutdown() comes, as it is most of the time.
    await waitFor(() => probe.pending().includes('heartbeat'), 'a heartbeat hanging');
    const stopAt = performance.now();
    const stopped = worker.shutdown();
    await waitFor(() => factory.processors.every((p) => p.shutdowns.length > 0), 'the processor shut down', 5_000);
    // The hung membership round and the role release / registry removal are awaited one refresh period each (300 ms);
    // the processors get the rest of the grace period (before: they were asked to stop only when it was over).
    expect(performance.now() - stopAt).toBeLessThan(2 * 300 + 900);
    expect(factory.processors[0]?.shutdowns).toEqual([ShutdownReason.REQUESTED]);
    await stopped;
    expect(probe.inFlightAtClose).toEqual(expect.arrayContaining(['heartbeat', 'releaseCoordinatorLease']));
  });
});

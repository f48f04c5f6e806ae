/**
 * Worker lifecycle with a fake shard consumer (no record reads) against kinesalite's ListShards and the in-memory
 * lease store: start-up takes the fair share at once, shutdown is graceful and shared, events never crash, config
 * and backend errors are typed.
 */
import { SHARD_END } from '../src/checkpoint/shard-status';
import { BackendNotInstalledError, ConfigError, KinesisError, WorkerStateError } from '../src/errors';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { InMemoryCheckpointer } from '../src/testing';
import { createDynamoCheckpointerLoader, type ModuleRequire } from '../src/worker/backend-loader';
import { listAllShards } from '../src/shards/list-shards';
import type { ShardConsumerDeps } from '../src/consumers/shard-consumer';
import { Worker } from '../src/worker/worker';
import { DeliveryLedger, fakeConsumerFactory } from './helpers/worker-fake-consumer';
import {
  CountingMonitoring,
  createTestStream,
  EventLog,
  InMemoryLeaseTable,
  makeWorker as makeTestWorker,
  TestProcessorFactory,
  waitFor,
  workerConfig,
} from './helpers/worker-harness';
import { useWorkerSuite } from './helpers/worker-suite';

const { fx, workers } = useWorkerSuite();

function makeWorker(...args: Parameters<typeof makeTestWorker>): ReturnType<typeof makeTestWorker> {
  const w = makeTestWorker(...args);
  workers.push(w);
  return w;
}

function workerConfigLogger(worker: Worker): Array<{ message: string; fields: Record<string, unknown> }> | undefined {
  return (worker as unknown as { config: { logger: { lines?: Array<{ message: string; fields: Record<string, unknown> }> } } }).config.logger.lines;
}

describe('Worker start', () => {
  test('takes every lease of a cold stream before start() resolves and delivers within a second', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
    const table = new InMemoryLeaseTable();
    const ledger = new DeliveryLedger();
    const events = new EventLog();
    const monitoring = new CountingMonitoring();
    const config = workerConfig(stream, 'w1').withMonitoringService(monitoring);
    const { worker } = makeWorker(table, fx.kinesis, config, {
      shardConsumerFactory: fakeConsumerFactory({ ledger }),
      events,
    });
    const t0 = performance.now();
    await worker.start();
    const started = performance.now();

    expect(worker.state).toBe('running');
    expect(worker.heldShards()).toHaveLength(4);
    expect(
      events
        .of('leaseAcquired')
        .map((e) => e.shardId)
        .sort(),
    ).toEqual(worker.heldShards());
    expect(table.list().every((l) => l.assignedTo === 'w1' && l.leaseCounter >= 1)).toBe(true);
    expect(monitoring.initCalls).toBe(1);
    expect(monitoring.gained).toBe(4);
    await waitFor(() => new Set(ledger.deliveries.map((d) => d.shardId)).size === 4, 'a delivery on every shard');
    const firstDelivery = Math.min(...ledger.deliveries.map((d) => d.start));
    expect(firstDelivery - t0).toBeLessThan(1_000);
    expect(started - t0).toBeLessThan(1_000);

    await worker.shutdown();
  });

  test('renews held leases every refresh period', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const table = new InMemoryLeaseTable();
    const monitoring = new CountingMonitoring();
    const config = workerConfig(stream, 'w1').withMonitoringService(monitoring);
    const { worker } = makeWorker(table, fx.kinesis, config, {
      shardConsumerFactory: fakeConsumerFactory({ ledger: new DeliveryLedger() }),
    });
    await worker.start();
    const counter0 = table.list()[0]!.leaseCounter;
    await new Promise((r) => setTimeout(r, 700));
    const counter1 = table.list()[0]!.leaseCounter;
    // 150 ms refresh over 700 ms: about 4 renewals (timers may run late on a busy machine).
    expect(counter1 - counter0).toBeGreaterThanOrEqual(2);
    expect(monitoring.renewed).toBe(counter1 - counter0);
    await worker.shutdown();
  });

  test('without balancing a worker that joins takes only unowned leases and leaves live ones alone', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 4 });
    const table = new InMemoryLeaseTable();
    const ledger = new DeliveryLedger();
    const config = (id: string) => workerConfig(stream, id).withLeaseStealing(false);
    const a = makeWorker(table, fx.kinesis, config('a'), { shardConsumerFactory: fakeConsumerFactory({ ledger }) });
    await a.worker.start();
    const b = makeWorker(table, fx.kinesis, config('b'), { shardConsumerFactory: fakeConsumerFactory({ ledger }) });
    await b.worker.start();
    await new Promise((r) => setTimeout(r, 1_000)); // longer than the failover time: a's leases stay a's
    expect(a.worker.heldShards()).toHaveLength(4);
    expect(b.worker.heldShards()).toEqual([]);
    expect(ledger.overlappingRuns()).toEqual([]);
    await Promise.all([a.worker.shutdown(), b.worker.shutdown()]);
  });

  test('rejects an invalid config with a ConfigError and can then be started once it is fixed', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const config = workerConfig(stream, 'w1');
    config.leaseRefreshPeriodMillis = config.failoverTimeMillis; // assigned directly: only validate() sees it
    const { worker } = makeWorker(new InMemoryLeaseTable(), fx.kinesis, config, {
      shardConsumerFactory: fakeConsumerFactory({ ledger: new DeliveryLedger() }),
    });
    const error = await worker.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe('leaseRefreshPeriodMillis');
    expect(worker.state).toBe('new');
    config.leaseRefreshPeriodMillis = 150;
    await worker.start();
    expect(worker.heldShards()).toEqual(['shardId-000000000000']);
    await worker.shutdown();
  });

  test('rejects with a KinesisError when the stream does not exist, and releases what it created', async () => {
    const monitoring = new CountingMonitoring();
    const config = workerConfig('no-such-stream', 'w1').withMonitoringService(monitoring);
    const { worker } = makeWorker(new InMemoryLeaseTable(), fx.kinesis, config, {
      shardConsumerFactory: fakeConsumerFactory({ ledger: new DeliveryLedger() }),
    });
    const error = await worker.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KinesisError);
    expect((error as Error).message).toContain('no-such-stream');
    expect(monitoring.shutdownCalls).toBe(1);
    expect(worker.state).toBe('new');
  });

  test('enhanced fan-out registers its stream consumer in start(): without fan-out support (kinesalite) start() fails', async () => {
    // Fan-out itself is tested in fanout-*.test.ts (kinesis-local and a fake); here only that start() fails fast.
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const { worker } = makeWorker(new InMemoryLeaseTable(), fx.kinesis, workerConfig(stream, 'w1').withEnhancedFanOutConsumer(true));
    const error = await worker.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KinesisError);
    expect((error as Error).message).toContain('RegisterStreamConsumer');
    expect(worker.heldShards()).toEqual([]);
  });

  test('start() twice and configuration after start() are WorkerStateErrors', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const { worker } = makeWorker(new InMemoryLeaseTable(), fx.kinesis, workerConfig(stream, 'w1'), {
      shardConsumerFactory: fakeConsumerFactory({ ledger: new DeliveryLedger() }),
    });
    const first = worker.start();
    await expect(worker.start()).rejects.toBeInstanceOf(WorkerStateError);
    await first;
    expect(() => worker.withCheckpointer(undefined)).toThrow(WorkerStateError);
    await worker.shutdown();
    await expect(worker.start()).rejects.toBeInstanceOf(WorkerStateError);
  });
});

describe('lease state given to consumers', () => {
  test('the live lease carries the hash key range and sequence range from ListShards and a logger with the shard', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
    const seen: ShardConsumerDeps[] = [];
    const { worker } = makeWorker(new InMemoryLeaseTable(), fx.kinesis, workerConfig(stream, 'w1'), {
      shardConsumerFactory: (deps) => {
        seen.push(deps);
        return fakeConsumerFactory({ ledger: new DeliveryLedger() })(deps);
      },
    });
    await worker.start();
    const listed = new Map((await listAllShards(fx.kinesis, stream)).map((s) => [s.shardId, s]));
    expect(seen).toHaveLength(2);
    for (const deps of seen) {
      const shard = listed.get(deps.lease.shardId)!;
      expect(deps.lease.shard.hashKeyRange).toEqual(shard.hashKeyRange);
      expect(deps.lease.shard.startingSequenceNumber).toBe(shard.startingSequenceNumber);
      expect(deps.lease.shard.assignedTo).toBe('w1');
      expect(deps.lease.isValid()).toBe(true);
      expect(deps.lease.handoffRequested).toBe(false);
      deps.logger.info('hello from the consumer');
    }
    const lines = (workerConfigLogger(worker) ?? []).filter((l) => l.message === 'hello from the consumer');
    expect(lines.map((l) => [l.fields['shardId'], l.fields['workerId']]).sort()).toEqual([
      ['shardId-000000000000', 'w1'],
      ['shardId-000000000001', 'w1'],
    ]);
    await worker.shutdown();
  });

  test('children reported at shard end (ChildShards) start as soon as every parent is at SHARD_END', async () => {
    // kinesalite has one open shard; the fake consumer ends it after 5 records and reports two children that only
    // exist in its ChildShards report, then ends the children too.
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const table = new InMemoryLeaseTable();
    const ledger = new DeliveryLedger();
    const events = new EventLog();
    const parent = 'shardId-000000000000';
    const children = ['shardId-000000000101', 'shardId-000000000102'];
    const { worker } = makeWorker(table, fx.kinesis, workerConfig(stream, 'w1', { shardSync: 60_000 }), {
      events,
      shardConsumerFactory: fakeConsumerFactory({
        ledger,
        shardLength: (id) => (id === parent ? 5 : 3),
        childrenOf: (id) => (id === parent ? children.map((c) => ({ shardId: c, parentShards: [parent] })) : []),
      }),
    });
    await worker.start();
    await waitFor(() => children.every((c) => ledger.forShard(c).length === 3), 'children processed', 5_000);
    const ended = events.of('shardEnded').find((e) => e.shardId === parent)!;
    expect(ended.childShards.map((c) => c.shardId)).toEqual(children);
    for (const child of children) {
      const acquired = events.of('leaseAcquired').find((e) => e.shardId === child)!;
      expect(acquired.at).toBeGreaterThan(ended.at);
      // Started at once (a take pass runs on shard end), not after the next regular pass.
      expect(acquired.at - ended.at).toBeLessThan(100);
      expect(table.get(child)!.parentShardIds).toEqual([parent]);
    }
    expect(table.get(parent)).toMatchObject({ checkpoint: SHARD_END, assignedTo: 'w1' }); // kept, not released
    expect(events.of('leaseLost').filter((e) => e.shardId === parent)).toEqual([]);
    expect(events.of('leaseAcquired').filter((e) => e.shardId === parent)).toHaveLength(1);
    await worker.shutdown();
  });
});

describe('Worker shutdown', () => {
  test('graceful: processors get REQUESTED and checkpoint, leases are released, the event fires once', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
    const table = new InMemoryLeaseTable();
    const ledger = new DeliveryLedger();
    const events = new EventLog();
    const monitoring = new CountingMonitoring();
    const config = workerConfig(stream, 'w1').withMonitoringService(monitoring);
    const { worker, factory } = makeWorker(table, fx.kinesis, config, {
      shardConsumerFactory: fakeConsumerFactory({ ledger, checkpointEachRecord: false }),
      events,
    });
    await worker.start();
    await waitFor(() => ledger.deliveries.length >= 6, 'some deliveries');

    const first = worker.shutdown();
    const second = worker.shutdown();
    expect(second).toBe(first);
    await Promise.all([first, second]);

    expect(worker.state).toBe('stopped');
    expect(events.of('shutdown')).toHaveLength(1);
    expect(factory.processors.map((p) => p.shutdowns)).toEqual([[ShutdownReason.REQUESTED], [ShutdownReason.REQUESTED]]);
    for (const lease of table.list()) {
      expect(lease.assignedTo).toBeUndefined();
      // The processor's checkpoint() at shutdown stored the last record delivered for the shard.
      const last = Math.max(...ledger.forShard(lease.id).map((d) => d.seq));
      expect(lease.checkpoint).toBe(String(last));
    }
    expect(events.of('leaseLost').map((e) => e.reason)).toEqual(['released', 'released']);
    expect(monitoring.lost).toBe(2);
    expect(monitoring.shutdownCalls).toBe(1);
    // Nothing is delivered after shutdown() resolved.
    const count = ledger.deliveries.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(ledger.deliveries.length).toBe(count);
    await expect(worker.shutdown()).resolves.toBeUndefined();
  });

  test('shutdown() before start() resolves and marks the worker stopped', async () => {
    const worker = new Worker(new TestProcessorFactory(), workerConfig('s', 'w1'));
    await worker.shutdown();
    expect(worker.state).toBe('stopped');
  });

  test('a consumer that does not stop within the grace period is abandoned: its lease is left to expire', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const table = new InMemoryLeaseTable();
    const events = new EventLog();
    let lostSeen = false;
    const { worker, logger } = makeWorker(table, fx.kinesis, workerConfig(stream, 'w1', { grace: 200 }), {
      events,
      // A consumer that ignores the shutdown signal and only stops when its lease is lost.
      shardConsumerFactory: (deps) => ({
        run: async () => {
          await new Promise<void>((resolve) => deps.lease.lostSignal.addEventListener('abort', () => resolve()));
          lostSeen = true;
          return { reason: ShutdownReason.ZOMBIE };
        },
      }),
    });
    await worker.start();
    const t0 = Date.now();
    await worker.shutdown();
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(lostSeen).toBe(true);
    expect(events.of('leaseLost').map((e) => e.reason)).toEqual(['abandoned']);
    expect(table.list()[0]!.assignedTo).toBe('w1'); // not released: it expires for the others
    expect(logger.at('warn').some((l) => l.message.includes('grace period') && String(l.fields['shards']).includes('shardId-000000000000'))).toBe(
      true,
    );
  });
});

describe('shutdown racing start', () => {
  test('shutdown() right after start(): start completes, then the worker shuts down and releases everything', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
    const table = new InMemoryLeaseTable();
    const { worker } = makeWorker(table, fx.kinesis, workerConfig(stream, 'w1'), {
      shardConsumerFactory: fakeConsumerFactory({ ledger: new DeliveryLedger() }),
    });
    const starting = worker.start();
    const stopping = worker.shutdown();
    await expect(starting).resolves.toBeUndefined();
    await stopping;
    expect(worker.state).toBe('stopped');
    expect(table.list().every((l) => l.assignedTo === undefined)).toBe(true);
  });

  test('a start() stuck on an unresponsive store does not hold shutdown() beyond the grace period', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const { worker, store } = makeWorker(new InMemoryLeaseTable(), fx.kinesis, workerConfig(stream, 'w1', { grace: 200 }), {
      shardConsumerFactory: fakeConsumerFactory({ ledger: new DeliveryLedger() }),
    });
    store.fault = 'hang'; // init() never answers
    const starting = worker.start().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await worker.shutdown();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(worker.state).toBe('stopped');
    store.heal();
    store.releaseHung(); // the hung init() now fails; start() gives up
    expect(await starting).toBeInstanceOf(Error);
    expect(worker.state).toBe('stopped');
    expect(worker.heldShards()).toEqual([]);
  });
});

describe('Worker events', () => {
  test('listeners that throw or reject are logged and never break the worker', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
    const ledger = new DeliveryLedger();
    const { worker, logger } = makeWorker(new InMemoryLeaseTable(), fx.kinesis, workerConfig(stream, 'w1'), {
      shardConsumerFactory: fakeConsumerFactory({ ledger }),
    });
    const calls: string[] = [];
    worker.on('leaseAcquired', () => {
      calls.push('sync');
      throw new Error('listener boom');
    });
    worker.on('leaseAcquired', async () => {
      calls.push('async');
      throw new Error('async listener boom');
    });
    worker.once('leaseAcquired', ({ shardId }) => {
      calls.push(`once:${shardId}`);
    });
    worker.on('shutdown', () => {
      throw new Error('shutdown listener boom');
    });
    await worker.start();
    await waitFor(() => ledger.deliveries.length >= 4, 'deliveries');
    await worker.shutdown();
    await new Promise((r) => setImmediate(r));
    expect(calls.filter((c) => c === 'sync')).toHaveLength(2);
    expect(calls.filter((c) => c === 'async')).toHaveLength(2);
    expect(calls.filter((c) => c.startsWith('once:'))).toHaveLength(1);
    expect(logger.at('error').filter((l) => l.message.includes('listener threw'))).toHaveLength(5);
    expect(worker.state).toBe('stopped');
  });

  test('a logger that throws never breaks the worker', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
    const ledger = new DeliveryLedger();
    const broken = {
      debug: () => {
        throw new Error('log boom');
      },
      info: () => {
        throw new Error('log boom');
      },
      warn: () => {
        throw new Error('log boom');
      },
      error: () => {
        throw new Error('log boom');
      },
      child() {
        return this;
      },
    };
    const config = workerConfig(stream, 'w1').withLogger(broken);
    const { worker } = makeWorker(new InMemoryLeaseTable(), fx.kinesis, config, { shardConsumerFactory: fakeConsumerFactory({ ledger }) });
    worker.on('leaseAcquired', () => {
      throw new Error('listener boom'); // its error is logged through the broken logger
    });
    await worker.start();
    await waitFor(() => ledger.deliveries.length >= 4, 'deliveries');
    await worker.shutdown();
    expect(worker.state).toBe('stopped');
  });

  test('an error event without listeners does not throw (unlike EventEmitter)', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const { worker, store, logger } = makeWorker(new InMemoryLeaseTable(), fx.kinesis, workerConfig(stream, 'w1'), {
      shardConsumerFactory: fakeConsumerFactory({ ledger: new DeliveryLedger() }),
    });
    await worker.start();
    expect(worker.listenerCount('error')).toBe(0);
    store.fault = 'unavailable'; // renewals fail -> 'error' events with no listener
    await waitFor(() => logger.at('warn').some((l) => l.message.includes('renewal failed')), 'a failed renewal');
    store.heal();
    expect(worker.state).toBe('running');
    await worker.shutdown();
  });

  test('a createProcessor() that throws (after the first one, which start() checks) is reported and the lease released', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
    const table = new InMemoryLeaseTable();
    const events = new EventLog();
    const config = workerConfig(stream, 'w1');
    let calls = 0;
    const worker = new Worker(
      {
        createProcessor: () => {
          calls += 1;
          if (calls === 1) return { processRecords: () => undefined };
          throw new Error('no processor today');
        },
      },
      config,
      { shardConsumerFactory: fakeConsumerFactory({ ledger: new DeliveryLedger() }) },
    ).withKinesis(fx.kinesis);
    worker.withCheckpointer(new InMemoryCheckpointer(table, config));
    events.attach(worker);
    await worker.start();
    await waitFor(() => events.of('error').some((e) => e.operation === 'createProcessor'), 'createProcessor error');
    await waitFor(() => events.of('leaseLost').length > 0, 'release');
    await worker.shutdown();
    expect(table.list().map((l) => l.checkpoint)).not.toContain(SHARD_END);
  });
});

describe('default lease store', () => {
  const notFound = (): never => {
    throw Object.assign(new Error("Cannot find module '@kcl/checkpoint-dynamodb'"), { code: 'MODULE_NOT_FOUND' });
  };

  test('start() rejects with BackendNotInstalledError when @kcl/checkpoint-dynamodb cannot be found', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const lookups: string[] = [];
    const missing = (name: string): ModuleRequire =>
      Object.assign(() => notFound(), {
        resolve: (id: string) => {
          lookups.push(`${name}:${id}`);
          return notFound();
        },
      });
    const monitoring = new CountingMonitoring();
    const worker = new Worker(new TestProcessorFactory(), workerConfig(stream, 'w1').withMonitoringService(monitoring), {
      loadCheckpointer: createDynamoCheckpointerLoader([missing('app'), missing('core')]),
    }).withKinesis(fx.kinesis);
    const error = await worker.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendNotInstalledError);
    expect((error as BackendNotInstalledError).packageName).toBe('@kcl/checkpoint-dynamodb');
    expect((error as Error).message).toContain('withCheckpointer');
    expect((error as Error).message).toContain('install');
    expect(lookups).toEqual(['app:@kcl/checkpoint-dynamodb', 'core:@kcl/checkpoint-dynamodb']);
    expect(monitoring.initCalls).toBe(0);
  });

  test('the loader prefers the application copy and builds DynamoCheckpoint(config)', async () => {
    const built: unknown[] = [];
    class DynamoCheckpoint {
      constructor(config: unknown) {
        built.push(config);
      }
    }
    const found: ModuleRequire = Object.assign(() => ({ DynamoCheckpoint }), { resolve: (id: string) => `/app/node_modules/${id}` });
    const config = workerConfig('s', 'w1');
    const loaded = await createDynamoCheckpointerLoader([found])(config);
    expect(loaded).toBeInstanceOf(DynamoCheckpoint);
    expect(built).toEqual([config]);

    const wrong: ModuleRequire = Object.assign(() => ({}), { resolve: (id: string) => id });
    expect(() => createDynamoCheckpointerLoader([wrong])(config)).toThrow(BackendNotInstalledError);
  });
});

/**
 * Lease-store metrics: the instrumented checkpointer (worker/instrumented-checkpointer.ts) reports call times,
 * checkpoint times and failures, store errors and health; `isLeaseStoreFailure` separates a store that failed from a
 * store that answered "no"; `errorCode` turns errors into stable labels. The last case runs a real worker.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createShardStatus } from '../src/checkpoint/shard-status';
import { KclError, LeaseLostError, LeaseNotAcquiredError, LeaseStoreAuthError, LeaseStoreError, LeaseStoreUnavailableError } from '../src/errors';
import { errorCode, UNKNOWN_ERROR_CODE } from '../src/metrics/error-code';
import { NoopMonitoringService } from '../src/metrics/monitoring-service';
import type { ProcessRecordsInput } from '../src/processor/record-processor';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../src/testing';
import { instrumentCheckpointer } from '../src/worker/instrumented-checkpointer';
import { isLeaseStoreFailure } from '../src/worker/lease-store-failure';
import { RecordingLogger } from './helpers/consumer-recorders';
import { createTestStream, makeWorker, startKinesaliteFixture, waitFor, workerConfig, type KinesaliteFixture } from './helpers/worker-harness';

/** A MonitoringService recording its lease-store methods. */
function storeMetrics() {
  const recorded = {
    calls: [] as Array<[string, number]>,
    checkpointTimes: [] as Array<[string, number]>,
    checkpointFailures: [] as Array<[string, string]>,
    storeErrors: [] as Array<[string, string]>,
    health: [] as boolean[],
  };
  return Object.assign(new NoopMonitoringService(), recorded, {
    recordLeaseStoreCallTime: (operation: string, millis: number) => void recorded.calls.push([operation, millis]),
    recordCheckpointTime: (shard: string, millis: number) => void recorded.checkpointTimes.push([shard, millis]),
    incrCheckpointFailures: (shard: string, code: string) => void recorded.checkpointFailures.push([shard, code]),
    incrLeaseStoreErrors: (operation: string, code: string) => void recorded.storeErrors.push([operation, code]),
    leaseStoreHealth: (healthy: boolean) => void recorded.health.push(healthy),
  });
}

function setup() {
  const table = new InMemoryLeaseTable('metrics');
  const metrics = storeMetrics();
  const logger = new RecordingLogger();
  let now = 0;
  const clock = () => now;
  const inner = new InMemoryCheckpointer(table, { workerId: 'w1' });
  // A fake clock that advances 7 ms per reading: every call takes exactly 7 ms.
  const store = instrumentCheckpointer(inner, { monitoring: metrics, logger, clock: () => (now += 7) && clock() });
  return { table, metrics, store, logger };
}

describe('errorCode', () => {
  it('gives stable labels, never the message', () => {
    expect(errorCode(new LeaseLostError('s1'))).toBe('LEASE_LOST');
    expect(errorCode(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(errorCode(Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException' }))).toBe('ConditionalCheckFailedException');
    expect(errorCode(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 503 } }))).toBe('HTTP_503');
    expect(errorCode(new Error('some message with spaces'))).toBe(UNKNOWN_ERROR_CODE);
    expect(errorCode('a string')).toBe(UNKNOWN_ERROR_CODE);
    expect(errorCode(Object.assign(new Error('x'), { code: 'not a code; DROP TABLE' }))).toBe(UNKNOWN_ERROR_CODE);
  });
});

describe('isLeaseStoreFailure', () => {
  it('is false for answers (lost lease, failed condition) and true for failures of the store', () => {
    expect(isLeaseStoreFailure(new LeaseLostError('s1'))).toBe(false);
    expect(isLeaseStoreFailure(new LeaseNotAcquiredError('s1'))).toBe(false);
    expect(isLeaseStoreFailure(Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException' }))).toBe(false);
    expect(isLeaseStoreFailure(new LeaseStoreUnavailableError('down'))).toBe(true);
    expect(isLeaseStoreFailure(new LeaseStoreAuthError('denied'))).toBe(true);
    expect(isLeaseStoreFailure(new LeaseStoreError('broken table'))).toBe(true);
    expect(isLeaseStoreFailure(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe(true);
    expect(isLeaseStoreFailure(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isLeaseStoreFailure(Object.assign(new Error('x'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }))).toBe(true);
    expect(isLeaseStoreFailure(new KclError('ABORTED', 'aborted'))).toBe(false);
  });
});

describe('instrumentCheckpointer', () => {
  it('reports call and checkpoint times per operation and shard, and health on success', async () => {
    const { metrics, store } = setup();
    const shard = createShardStatus('shardId-1');
    await store.takeLease(shard, 'w1');
    shard.checkpoint = '100';
    await store.checkpointSequence(shard);
    expect(metrics.calls).toEqual([
      ['takeLease', 7],
      ['checkpointSequence', 7],
    ]);
    expect(metrics.checkpointTimes).toEqual([['shardId-1', 7]]);
    expect(metrics.health).toEqual([true]);
    expect(metrics.storeErrors).toEqual([]);
  });

  it('a store failure counts an error and turns health false; the next success turns it true', async () => {
    const { metrics, store, table } = setup();
    const shard = createShardStatus('shardId-1');
    await store.takeLease(shard, 'w1');
    table.failNext('checkpointSequence', new LeaseStoreUnavailableError('connection refused'));
    shard.checkpoint = '100';
    await expect(store.checkpointSequence(shard)).rejects.toBeInstanceOf(LeaseStoreUnavailableError);
    expect(metrics.checkpointFailures).toEqual([['shardId-1', 'LEASE_STORE_UNAVAILABLE']]);
    expect(metrics.storeErrors).toEqual([['checkpointSequence', 'LEASE_STORE_UNAVAILABLE']]);
    expect(metrics.health).toEqual([true, false]);
    await store.checkpointSequence(shard);
    expect(metrics.health).toEqual([true, false, true]);
  });

  it('a lost lease is a checkpoint failure but not a store failure', async () => {
    const { metrics, store, table } = setup();
    const shard = createShardStatus('shardId-1');
    await store.takeLease(shard, 'w1');
    const thief = new InMemoryCheckpointer(table, { workerId: 'w2' });
    const stolen = createShardStatus('shardId-1', { assignedTo: 'w1', leaseCounter: shard.leaseCounter });
    await thief.takeLease(stolen, 'w2');
    shard.checkpoint = '100';
    await expect(store.checkpointSequence(shard)).rejects.toBeInstanceOf(KclError);
    expect(metrics.checkpointFailures).toHaveLength(1);
    expect(metrics.checkpointFailures[0]![1]).toMatch(/^LEASE_/);
    expect(metrics.storeErrors).toEqual([]);
    expect(metrics.health).toEqual([true]);
  });

  it('a MonitoringService that throws is logged and never reaches the caller', async () => {
    const { store, metrics, logger } = setup();
    metrics.recordLeaseStoreCallTime = () => {
      throw new Error('broken metrics');
    };
    await expect(store.listLeases()).resolves.toEqual([]);
    expect(logger.at('warn').some((l) => l.message === 'MonitoringService call failed')).toBe(true);
  });
});

describe('worker', () => {
  let fx: KinesaliteFixture;
  beforeAll(async () => {
    fx = await startKinesaliteFixture();
  });
  afterAll(async () => {
    await fx.stop();
  });

  it('reports lease-store calls, checkpoint times and health through the configured MonitoringService', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    await fx.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: [{ Data: Buffer.from('x'), PartitionKey: 'pk' }] }));
    const metrics = storeMetrics();
    const table = new InMemoryLeaseTable();
    const config = workerConfig(stream, 'w1').withMonitoringService(metrics);
    const w = makeWorker(table, fx.kinesis, config, {
      factory: {
        createProcessor: () => ({
          initialize: () => undefined,
          processRecords: async (input: ProcessRecordsInput) => {
            if (input.records.length > 0) await input.checkpointer.checkpoint();
          },
          shutdown: () => undefined,
        }),
      } as never,
    });
    await w.worker.start();
    try {
      await waitFor(() => metrics.checkpointTimes.length > 0, 'a checkpoint time', 5_000);
      expect(metrics.checkpointTimes[0]![0]).toBe('shardId-000000000000');
      expect(metrics.health[0]).toBe(true);
      expect(metrics.calls.some(([op]) => op === 'init')).toBe(true);
      table.unavailable = true;
      await waitFor(() => metrics.health.at(-1) === false, 'health false while the store is down', 5_000);
      expect(metrics.storeErrors.length).toBeGreaterThan(0);
      expect(metrics.storeErrors[0]![1]).toBe('LEASE_STORE_UNAVAILABLE');
      table.unavailable = false;
      await waitFor(() => metrics.health.at(-1) === true, 'health true once the store answers again', 5_000);
    } finally {
      table.unavailable = false;
      await w.worker.shutdown();
    }
  });
});

/** The lease-store metrics, the health endpoint, default process metrics and the stable worker label. */
import { ConfigError } from '@kcl/core';
import { Registry } from 'prom-client';
import { METRIC_NAMES, PrometheusMonitoringService } from '../src';
import { sample } from './exposition';

const SHARD = 'shardId-000000000001';

async function get(service: PrometheusMonitoringService, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${service.address()!.port}${path}`);
  return { status: res.status, body: await res.text() };
}

describe('lease-store metrics', () => {
  it('exports checkpoint times and failures per shard, store call times, errors and health per worker', async () => {
    const registry = new Registry();
    const service = new PrometheusMonitoringService({ registry });
    service.init('my-app', 'orders', 'worker-1');
    service.recordCheckpointTime(SHARD, 4);
    service.incrCheckpointFailures(SHARD, 'LEASE_LOST');
    service.recordLeaseStoreCallTime('renewLeases', 9);
    service.incrLeaseStoreErrors('renewLeases', 'LEASE_STORE_UNAVAILABLE');
    service.leaseStoreHealth(false);
    const body = await registry.metrics();
    const shard = { application: 'my-app', stream: 'orders', worker: 'worker-1', shard: SHARD };
    const worker = { application: 'my-app', stream: 'orders', worker: 'worker-1' };
    expect(sample(body, `${METRIC_NAMES.checkpointDuration}_sum`, shard)).toBe(4);
    expect(sample(body, METRIC_NAMES.checkpointFailures, { ...shard, code: 'LEASE_LOST' })).toBe(1);
    expect(sample(body, `${METRIC_NAMES.leaseStoreCallDuration}_count`, { ...worker, operation: 'renewLeases' })).toBe(1);
    expect(sample(body, METRIC_NAMES.leaseStoreErrors, { ...worker, operation: 'renewLeases', code: 'LEASE_STORE_UNAVAILABLE' })).toBe(1);
    expect(sample(body, METRIC_NAMES.leaseStoreHealthy, worker)).toBe(0);
    expect(body).not.toMatch(new RegExp(`${METRIC_NAMES.leaseStoreHealthy}\\{[^}]*shard=`));
    service.leaseStoreHealth(true);
    expect(sample(await registry.metrics(), METRIC_NAMES.leaseStoreHealthy, worker)).toBe(1);
    expect(service.isLeaseStoreHealthy()).toBe(true);
  });
});

describe('healthPath', () => {
  it('answers 503 until the lease store is healthy, 200 while it is, 503 after a store failure', async () => {
    const service = new PrometheusMonitoringService({ listenAddress: '127.0.0.1:0' });
    service.init('my-app', 'orders', 'worker-1');
    await service.start();
    try {
      expect((await get(service, '/healthz')).status).toBe(503);
      service.leaseStoreHealth(true);
      expect(await get(service, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
      service.leaseStoreHealth(false);
      expect((await get(service, '/healthz')).status).toBe(503);
      expect((await get(service, '/metrics')).status).toBe(200);
    } finally {
      await service.shutdown();
    }
  });

  it('can be moved or turned off, and is checked at construction', async () => {
    const moved = new PrometheusMonitoringService({ listenAddress: '127.0.0.1:0', healthPath: '/ready' });
    const off = new PrometheusMonitoringService({ listenAddress: '127.0.0.1:0', healthPath: false });
    for (const s of [moved, off]) {
      s.init('a', 'b', 'c');
      s.leaseStoreHealth(true);
      await s.start();
    }
    try {
      expect((await get(moved, '/ready')).status).toBe(200);
      expect((await get(moved, '/healthz')).status).toBe(404);
      expect((await get(off, '/healthz')).status).toBe(404);
    } finally {
      await moved.shutdown();
      await off.shutdown();
    }
    expect(() => new PrometheusMonitoringService({ healthPath: 'healthz' })).toThrow(ConfigError);
    expect(() => new PrometheusMonitoringService({ healthPath: '/metrics' })).toThrow(ConfigError);
  });
});

describe('collectDefaultMetrics', () => {
  it('is off by default and adds the process metrics to the registry once when on', async () => {
    const plain = new Registry();
    new PrometheusMonitoringService({ registry: plain }).init('a', 'b', 'c');
    expect(await plain.metrics()).not.toContain('process_cpu_user_seconds_total');

    const registry = new Registry();
    new PrometheusMonitoringService({ registry, collectDefaultMetrics: true }).init('a', 'b', 'w1');
    // A second worker sharing the registry does not register them twice (prom-client would throw).
    new PrometheusMonitoringService({ registry, collectDefaultMetrics: true }).init('a', 'b', 'w2');
    const body = await registry.metrics();
    expect(body).toContain('process_cpu_user_seconds_total');
    expect(body).toContain('nodejs_eventloop_lag_seconds');
  });
});

describe('workerLabel', () => {
  it('replaces the worker id in the worker label and must be a non-empty string', async () => {
    const registry = new Registry();
    const service = new PrometheusMonitoringService({ registry, workerLabel: 'pod-7' });
    service.init('my-app', 'orders', '2f1c6a9e-random-uuid');
    service.incrRecordsProcessed(SHARD, 1);
    const body = await registry.metrics();
    expect(sample(body, METRIC_NAMES.recordsProcessed, { worker: 'pod-7', shard: SHARD })).toBe(1);
    expect(body).not.toContain('2f1c6a9e-random-uuid');
    expect(() => new PrometheusMonitoringService({ workerLabel: ' ' })).toThrow(ConfigError);
  });
});

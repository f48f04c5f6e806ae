import { ConfigError } from '@kcl/core';
import { Counter, Registry } from 'prom-client';
import { PrometheusMonitoringService, METRIC_NAMES } from '../src';
import { sample } from './exposition';

async function scrape(service: PrometheusMonitoringService): Promise<{ status: number; body: string; type: string | null }> {
  const address = service.address();
  if (!address) throw new Error('server not started');
  const res = await fetch(`http://127.0.0.1:${address.port}/metrics`);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

describe('PrometheusMonitoringService standalone mode', () => {
  it('serves every metric over HTTP with stream, shard and worker labels, and stops on shutdown', async () => {
    const service = new PrometheusMonitoringService({ listenAddress: '127.0.0.1:0', region: 'us-east-1' });
    service.init('my-app', 'orders', 'worker-1');
    await service.start();
    try {
      service.incrRecordsProcessed('shardId-000000000001', 3);
      service.incrRecordsProcessed('shardId-000000000001', 2);
      service.incrBytesProcessed('shardId-000000000001', 1024);
      service.millisBehindLatest('shardId-000000000001', 250);
      service.leaseGained('shardId-000000000001');
      service.leaseRenewed('shardId-000000000001');
      service.recordGetRecordsTime('shardId-000000000001', 12);
      service.recordProcessRecordsTime('shardId-000000000001', 7);
      service.incrProcessRecordsErrors('shardId-000000000001');
      const { status, body, type } = await scrape(service);
      expect(status).toBe(200);
      expect(type).toContain('text/plain');
      const labels = { application: 'my-app', stream: 'orders', shard: 'shardId-000000000001', worker: 'worker-1', region: 'us-east-1' };
      expect(sample(body, METRIC_NAMES.recordsProcessed, labels)).toBe(5);
      expect(sample(body, METRIC_NAMES.bytesProcessed, labels)).toBe(1024);
      expect(sample(body, METRIC_NAMES.millisBehindLatest, labels)).toBe(250);
      expect(sample(body, METRIC_NAMES.leasesHeld, labels)).toBe(1);
      expect(sample(body, METRIC_NAMES.leaseRenewals, labels)).toBe(1);
      expect(sample(body, `${METRIC_NAMES.getRecordsDuration}_count`, labels)).toBe(1);
      expect(sample(body, `${METRIC_NAMES.processRecordsDuration}_sum`, labels)).toBe(7);
      expect(sample(body, METRIC_NAMES.processRecordsErrors, labels)).toBe(1);
      service.processorStuck('shardId-000000000001', 60_000);
      const stuck = (await scrape(service)).body;
      expect(sample(stuck, METRIC_NAMES.processorStuckReports, labels)).toBe(1);
      expect(sample(stuck, METRIC_NAMES.processorStuckMillis, labels)).toBe(60_000);
      service.recordProcessRecordsTime('shardId-000000000001', 3);
      expect(sample((await scrape(service)).body, METRIC_NAMES.processorStuckMillis, labels)).toBe(0);
      service.leaseLost('shardId-000000000001');
      expect(sample((await scrape(service)).body, METRIC_NAMES.leasesHeld, labels)).toBe(0);
      const notFound = await fetch(`http://127.0.0.1:${service.address()!.port}/other`);
      expect(notFound.status).toBe(404);
    } finally {
      await service.shutdown();
    }
    expect(service.address()).toBeUndefined();
  });

  it('produces valid metric names for any application name (the app is a label)', async () => {
    const service = new PrometheusMonitoringService({ listenAddress: '127.0.0.1:0' });
    service.init('my-app.v2 (prod)', 'stream-1', 'w');
    service.incrRecordsProcessed('s1', 1);
    const text = await service.registry.metrics();
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*[{ ]/);
    }
    expect(text).toContain('application="my-app.v2 (prod)"');
  });

  it('accepts the go-kcl style constructor (listenAddress, region, logger)', async () => {
    const lines: string[] = [];
    const logger = {
      debug() {},
      info: (m: string) => lines.push(m),
      warn() {},
      error() {},
      child() {
        return logger;
      },
    };
    const service = new PrometheusMonitoringService('127.0.0.1:0', 'eu-west-1', logger);
    service.init('app', 'stream', 'w1');
    await service.start();
    try {
      service.incrRecordsProcessed('s', 1);
      const { body } = await scrape(service);
      expect(sample(body, METRIC_NAMES.recordsProcessed, { region: 'eu-west-1' })).toBe(1);
      expect(lines.some((l) => l.includes('listening'))).toBe(true);
    } finally {
      await service.shutdown();
    }
  });

  it('defaults to ":8080" and rejects malformed listen addresses with a ConfigError naming the option', () => {
    expect(() => new PrometheusMonitoringService()).not.toThrow();
    for (const bad of ['8080', 'localhost', ':99999', 'host:port', '']) {
      let error: unknown;
      try {
        new PrometheusMonitoringService({ listenAddress: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).option).toBe('listenAddress');
    }
  });

  it('reports a port already in use as a clear error at start()', async () => {
    const first = new PrometheusMonitoringService({ listenAddress: '127.0.0.1:0' });
    first.init('a', 's', 'w');
    await first.start();
    try {
      const second = new PrometheusMonitoringService({ listenAddress: `127.0.0.1:${first.address()!.port}` });
      second.init('a', 's', 'w2');
      await expect(second.start()).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
    } finally {
      await first.shutdown();
    }
  });
});

describe('PrometheusMonitoringService failing processor metrics', () => {
  it('exports the consecutive failure count (back to 0 on recovery or lease loss) and skipped batches and records', async () => {
    const registry = new Registry();
    const service = new PrometheusMonitoringService({ registry });
    service.init('app', 'orders', 'w1');
    const labels = { shard: 'shardId-1', worker: 'w1' };
    service.processorFailing('shardId-1', 1);
    service.processorFailing('shardId-1', 2);
    service.processorFailing('shardId-1', 3);
    expect(sample(await registry.metrics(), METRIC_NAMES.processorFailingAttempts, labels)).toBe(3);
    service.processorFailing('shardId-1', 0);
    expect(sample(await registry.metrics(), METRIC_NAMES.processorFailingAttempts, labels)).toBe(0);
    service.processorFailing('shardId-1', 5);
    service.leaseLost('shardId-1');
    expect(sample(await registry.metrics(), METRIC_NAMES.processorFailingAttempts, labels)).toBe(0);

    service.batchSkipped('shardId-1', 10);
    service.batchSkipped('shardId-1', 4);
    const text = await registry.metrics();
    expect(sample(text, METRIC_NAMES.skippedBatches, labels)).toBe(2);
    expect(sample(text, METRIC_NAMES.skippedRecords, labels)).toBe(14);
    expect(METRIC_NAMES).toMatchObject({
      processorFailingAttempts: 'kcl_processor_failing_attempts',
      skippedBatches: 'kcl_skipped_batches_total',
      skippedRecords: 'kcl_skipped_records_total',
    });
  });
});

describe('PrometheusMonitoringService external mode', () => {
  it('registers collectors in the given registry and starts no server', async () => {
    const registry = new Registry();
    const service = new PrometheusMonitoringService({ registry });
    service.init('app', 'orders', 'w1');
    await service.start();
    expect(service.external).toBe(true);
    expect(service.address()).toBeUndefined();
    service.incrRecordsProcessed('shardId-1', 4);
    expect(sample(await registry.metrics(), METRIC_NAMES.recordsProcessed, { worker: 'w1', shard: 'shardId-1' })).toBe(4);
    await service.shutdown();
  });

  it('accepts registerer as an alias and lets two workers share one registry', async () => {
    const registry = new Registry();
    const a = new PrometheusMonitoringService({ registerer: registry });
    const b = new PrometheusMonitoringService({ registry });
    a.init('app', 'orders', 'w1');
    b.init('app', 'orders', 'w2');
    a.incrRecordsProcessed('s1', 1);
    b.incrRecordsProcessed('s2', 2);
    const text = await registry.metrics();
    expect(sample(text, METRIC_NAMES.recordsProcessed, { worker: 'w1', shard: 's1' })).toBe(1);
    expect(sample(text, METRIC_NAMES.recordsProcessed, { worker: 'w2', shard: 's2' })).toBe(2);
  });

  it('gives a clear ConfigError when a foreign metric of the same name is already registered', () => {
    const registry = new Registry();
    new Counter({ name: METRIC_NAMES.recordsProcessed, help: 'someone else', registers: [registry] });
    const service = new PrometheusMonitoringService({ registry });
    expect(() => service.init('app', 'orders', 'w1')).toThrow(ConfigError);
    expect(() => service.init('app', 'orders', 'w1')).toThrow(/kcl_processed_records_total.*separate Registry/);
  });

  it('rejects two different registries and a non-registry', () => {
    expect(() => new PrometheusMonitoringService({ registry: new Registry(), registerer: new Registry() })).toThrow(ConfigError);
    expect(() => new PrometheusMonitoringService({ registry: {} as Registry })).toThrow(/prom-client Registry/);
    expect(() => new PrometheusMonitoringService({ region: '' })).toThrow(ConfigError);
  });
});

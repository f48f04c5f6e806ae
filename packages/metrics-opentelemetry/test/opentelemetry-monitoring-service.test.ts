import { ConfigError } from '@kcl/core';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { INSTRUMENT_NAMES, OpenTelemetryMonitoringService } from '../src';

const SHARD = 'shardId-000000000001';

function setup(options: { workerLabel?: string } = {}, temporality = AggregationTemporality.CUMULATIVE) {
  const exporter = new InMemoryMetricExporter(temporality);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const service = new OpenTelemetryMonitoringService({ meter: provider.getMeter('kcl-test'), attributes: { region: 'us-east-1' }, ...options });
  service.init('orders-app', 'orders', 'worker-1');
  service.start();
  /** Exports now and returns the latest data of each instrument. */
  const collect = async (): Promise<Map<string, MetricData>> => {
    exporter.reset();
    await reader.forceFlush();
    const byName = new Map<string, MetricData>();
    for (const resource of exporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
    }
    return byName;
  };
  return { service, provider, collect };
}

function point(data: Map<string, MetricData>, name: string, attributes: Record<string, string>) {
  const metric = data.get(name);
  return metric?.dataPoints.find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
}

describe('OpenTelemetryMonitoringService', () => {
  it('records counters and histograms with application, stream, worker, shard and extra attributes', async () => {
    const { service, provider, collect } = setup();
    try {
      service.incrRecordsProcessed(SHARD, 3);
      service.incrRecordsProcessed(SHARD, 2);
      service.incrBytesProcessed(SHARD, 1024);
      service.leaseRenewed(SHARD);
      service.recordGetRecordsTime(SHARD, 12);
      service.recordProcessRecordsTime(SHARD, 7);
      service.recordProcessRecordsTime(SHARD, 9);
      service.incrProcessRecordsErrors(SHARD);
      service.recordCheckpointTime(SHARD, 4);
      service.incrCheckpointFailures(SHARD, 'LEASE_LOST');
      service.recordLeaseStoreCallTime('renewLeases', 5);
      service.incrLeaseStoreErrors('renewLeases', 'LEASE_STORE_UNAVAILABLE');
      const data = await collect();
      const shard = { application: 'orders-app', stream: 'orders', worker: 'worker-1', shard: SHARD, region: 'us-east-1' };
      expect(point(data, INSTRUMENT_NAMES.recordsProcessed, shard)?.value).toBe(5);
      expect(data.get(INSTRUMENT_NAMES.bytesProcessed)?.descriptor.unit).toBe('By');
      expect(point(data, INSTRUMENT_NAMES.bytesProcessed, shard)?.value).toBe(1024);
      expect(point(data, INSTRUMENT_NAMES.leaseRenewals, shard)?.value).toBe(1);
      expect(point(data, INSTRUMENT_NAMES.processRecordsErrors, shard)?.value).toBe(1);
      const processing = data.get(INSTRUMENT_NAMES.processRecordsDuration)!;
      expect(processing.dataPointType).toBe(DataPointType.HISTOGRAM);
      expect(processing.descriptor.unit).toBe('ms');
      expect(point(data, INSTRUMENT_NAMES.processRecordsDuration, shard)?.value).toMatchObject({ count: 2, sum: 16 });
      expect(point(data, INSTRUMENT_NAMES.checkpointDuration, shard)?.value).toMatchObject({ count: 1, sum: 4 });
      expect(point(data, INSTRUMENT_NAMES.checkpointFailures, { ...shard, code: 'LEASE_LOST' })?.value).toBe(1);
      const store = point(data, INSTRUMENT_NAMES.leaseStoreErrors, { operation: 'renewLeases', code: 'LEASE_STORE_UNAVAILABLE' });
      expect(store?.value).toBe(1);
      expect(store?.attributes.shard).toBeUndefined();
      expect(point(data, INSTRUMENT_NAMES.leaseStoreCallDuration, { operation: 'renewLeases' })?.value).toMatchObject({ count: 1 });
    } finally {
      service.shutdown();
      await provider.shutdown();
    }
  });

  it('observes lag per held shard, leases held and lease-store health as gauges; a lost lease drops its lag', async () => {
    // Delta temporality: a gauge point appears only when observed in that collection (cumulative keeps the last one).
    const { service, provider, collect } = setup({}, AggregationTemporality.DELTA);
    try {
      service.leaseGained(SHARD);
      service.leaseGained('shardId-000000000002');
      service.millisBehindLatest(SHARD, 250);
      service.leaseStoreHealth(true);
      let data = await collect();
      expect(data.get(INSTRUMENT_NAMES.leasesHeld)?.dataPointType).toBe(DataPointType.GAUGE);
      expect(point(data, INSTRUMENT_NAMES.leasesHeld, { worker: 'worker-1' })?.value).toBe(2);
      expect(point(data, INSTRUMENT_NAMES.millisBehindLatest, { shard: SHARD })?.value).toBe(250);
      expect(point(data, INSTRUMENT_NAMES.leaseStoreHealthy, { worker: 'worker-1' })?.value).toBe(1);

      service.leaseLost(SHARD);
      service.leaseStoreHealth(false);
      data = await collect();
      expect(point(data, INSTRUMENT_NAMES.leasesHeld, { worker: 'worker-1' })?.value).toBe(1);
      expect(point(data, INSTRUMENT_NAMES.millisBehindLatest, { shard: SHARD })).toBeUndefined();
      expect(point(data, INSTRUMENT_NAMES.leaseStoreHealthy, { worker: 'worker-1' })?.value).toBe(0);

      service.shutdown();
      data = await collect();
      expect(point(data, INSTRUMENT_NAMES.leasesHeld, { worker: 'worker-1' })).toBeUndefined();
    } finally {
      await provider.shutdown();
    }
  });

  it('uses workerLabel for the worker attribute and validates its options', async () => {
    const { service, provider, collect } = setup({ workerLabel: 'pod-7' });
    try {
      service.incrRecordsProcessed(SHARD, 1);
      const data = await collect();
      expect(point(data, INSTRUMENT_NAMES.recordsProcessed, { worker: 'pod-7' })?.value).toBe(1);
    } finally {
      service.shutdown();
      await provider.shutdown();
    }
    expect(() => new OpenTelemetryMonitoringService({ workerLabel: '' })).toThrow(ConfigError);
    expect(() => new OpenTelemetryMonitoringService({ meter: {} as never })).toThrow(/meter/);
  });
});

import { ConfigError, type MonitoringService } from '@kcl/core';
import { metrics, type Attributes, type BatchObservableCallback, type Meter } from '@opentelemetry/api';
import { createInstruments, type Instruments } from './instruments';
import type { OpenTelemetryMonitoringOptions } from './options';

/**
 * A {@link MonitoringService} that records @kcl's metrics with OpenTelemetry instruments created from a given Meter:
 * counters (records, bytes, renewals, errors), histograms in ms (GetRecords, processRecords, checkpoint and
 * lease-store call durations) and observable gauges (MillisBehindLatest per held shard, leases held, lease-store
 * health). Export is the MeterProvider's business (OTLP, Prometheus exporter, console...).
 */
export class OpenTelemetryMonitoringService implements MonitoringService {
  private readonly meter: Meter;
  private readonly workerLabel: string | undefined;
  private readonly extra: Attributes;
  private instruments: Instruments | undefined;
  private base: Attributes = {};
  private readonly lag = new Map<string, number>();
  private readonly held = new Set<string>();
  private healthy: boolean | undefined;
  private observer: BatchObservableCallback | undefined;

  constructor(options: OpenTelemetryMonitoringOptions = {}) {
    if (options.meter !== undefined && typeof options.meter?.createCounter !== 'function') {
      throw new ConfigError('meter', typeof options.meter, 'an OpenTelemetry Meter (meterProvider.getMeter(name))');
    }
    if (options.workerLabel !== undefined && (typeof options.workerLabel !== 'string' || options.workerLabel.trim() === '')) {
      throw new ConfigError('workerLabel', options.workerLabel, 'a non-empty string, or leave it unset for the worker id');
    }
    this.meter = options.meter ?? metrics.getMeter('@kcl/metrics-opentelemetry');
    this.workerLabel = options.workerLabel;
    this.extra = options.attributes ?? {};
  }

  init(appName: string, streamName: string, workerId: string): void {
    this.base = { ...this.extra, application: appName, stream: streamName, worker: this.workerLabel ?? workerId };
    if (this.instruments) return;
    const instruments = createInstruments(this.meter);
    this.instruments = instruments;
    this.observer = (result) => {
      for (const [shard, millis] of this.lag) result.observe(instruments.millisBehindLatest, millis, this.shardAttributes(shard));
      result.observe(instruments.leasesHeld, this.held.size, this.base);
      if (this.healthy !== undefined) result.observe(instruments.leaseStoreHealthy, this.healthy ? 1 : 0, this.base);
    };
    this.meter.addBatchObservableCallback(this.observer, [instruments.millisBehindLatest, instruments.leasesHeld, instruments.leaseStoreHealthy]);
  }

  start(): void {}

  incrRecordsProcessed(shard: string, count: number): void {
    this.instruments?.recordsProcessed.add(count, this.shardAttributes(shard));
  }

  incrBytesProcessed(shard: string, count: number): void {
    this.instruments?.bytesProcessed.add(count, this.shardAttributes(shard));
  }

  millisBehindLatest(shard: string, millis: number): void {
    this.lag.set(shard, millis);
  }

  leaseGained(shard: string): void {
    this.held.add(shard);
  }

  leaseLost(shard: string): void {
    this.held.delete(shard);
    this.lag.delete(shard);
  }

  leaseRenewed(shard: string): void {
    this.instruments?.leaseRenewals.add(1, this.shardAttributes(shard));
  }

  recordGetRecordsTime(shard: string, millis: number): void {
    this.instruments?.getRecordsDuration.record(millis, this.shardAttributes(shard));
  }

  recordProcessRecordsTime(shard: string, millis: number): void {
    this.instruments?.processRecordsDuration.record(millis, this.shardAttributes(shard));
  }

  incrProcessRecordsErrors(shard: string): void {
    this.instruments?.processRecordsErrors.add(1, this.shardAttributes(shard));
  }

  processorStuck(shard: string): void {
    this.instruments?.processorStuck.add(1, this.shardAttributes(shard));
  }

  batchSkipped(shard: string, records: number): void {
    this.instruments?.skippedRecords.add(records, this.shardAttributes(shard));
  }

  recordCheckpointTime(shard: string, millis: number): void {
    this.instruments?.checkpointDuration.record(millis, this.shardAttributes(shard));
  }

  incrCheckpointFailures(shard: string, code: string): void {
    this.instruments?.checkpointFailures.add(1, { ...this.shardAttributes(shard), code });
  }

  recordLeaseStoreCallTime(operation: string, millis: number): void {
    this.instruments?.leaseStoreCallDuration.record(millis, { ...this.base, operation });
  }

  incrLeaseStoreErrors(operation: string, code: string): void {
    this.instruments?.leaseStoreErrors.add(1, { ...this.base, operation, code });
  }

  leaseStoreHealth(healthy: boolean): void {
    this.healthy = healthy;
  }

  /** Stops observing the gauges (the instruments stay in the Meter; their counters keep their totals). */
  shutdown(): void {
    if (this.observer && this.instruments) {
      const { millisBehindLatest, leasesHeld, leaseStoreHealthy } = this.instruments;
      this.meter.removeBatchObservableCallback(this.observer, [millisBehindLatest, leasesHeld, leaseStoreHealthy]);
    }
    this.observer = undefined;
    this.instruments = undefined;
    this.lag.clear();
    this.held.clear();
  }

  private shardAttributes(shard: string): Attributes {
    return { ...this.base, shard };
  }
}

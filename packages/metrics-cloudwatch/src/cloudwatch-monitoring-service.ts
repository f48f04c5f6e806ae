import { CloudWatchClient, PutMetricDataCommand, type Dimension, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { errorCode, type MonitoringService } from '@kcl/core';
import { toBatches } from './batches';
import { toEmfDocuments } from './emf';
import { MetricBuffer } from './metric-buffer';
import { CLOUDWATCH_METRICS, type MetricDefinition } from './metric-names';
import type { CloudWatchMonitoringOptions } from './options';
import { validateOptions } from './validate-options';

const DEFAULT_FLUSH_INTERVAL_MILLIS = 10_000;
const DEFAULT_MAX_BUFFERED_DATUMS = 10_000;
const M = CLOUDWATCH_METRICS;

/**
 * A {@link MonitoringService} that sends @kcl's metrics to Amazon CloudWatch with the Java KCL's names and dimensions
 * (namespace = application name; `Operation`, `ShardId`, `WorkerIdentifier`). Samples are aggregated in memory and
 * flushed every `flushIntervalMillis` (default 10 s) and on shutdown, with PutMetricData in batches within the API's
 * limits, or as Embedded Metric Format lines on stdout (`output: "emf"`). A failed flush is logged and its data kept
 * for the next one (up to `maxBufferedDatums`); nothing here ever throws into the worker.
 */
export class CloudWatchMonitoringService implements MonitoringService {
  private readonly options: CloudWatchMonitoringOptions;
  private readonly buffer = new MetricBuffer();
  private readonly held = new Set<string>();
  private pending: MetricDatum[] = [];
  private namespace = '';
  private workerIdentifier = '';
  private initialised = false;
  private healthy: boolean | undefined;
  private client: CloudWatchClient | undefined;
  private ownsClient = false;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(options: CloudWatchMonitoringOptions = {}) {
    validateOptions(options);
    this.options = options;
  }

  init(appName: string, _streamName: string, workerId: string): void {
    this.namespace = this.options.namespace ?? appName;
    this.workerIdentifier = this.options.workerIdentifier ?? workerId;
    this.initialised = true;
  }

  /** Creates the client (unless one was given) and starts the flush timer. */
  start(): void {
    if (this.output() === 'putMetricData' && !this.client) {
      this.client = this.options.client;
      if (!this.client) {
        const region = this.options.region ?? this.options.clientConfig?.region;
        this.client = new CloudWatchClient({ ...this.options.clientConfig, ...(region === undefined ? {} : { region }) });
        this.ownsClient = true;
      }
    }
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMillis ?? DEFAULT_FLUSH_INTERVAL_MILLIS);
    this.timer.unref();
  }

  incrRecordsProcessed(shard: string, count: number): void {
    this.add(M.recordsProcessed, count, shard);
  }

  incrBytesProcessed(shard: string, count: number): void {
    this.add(M.bytesProcessed, count, shard);
  }

  millisBehindLatest(shard: string, millis: number): void {
    this.add(M.millisBehindLatest, millis, shard);
  }

  leaseGained(shard: string): void {
    this.held.add(shard);
    this.add(M.takenLeases, 1);
  }

  leaseLost(shard: string): void {
    if (this.held.delete(shard)) this.add(M.lostLeases, 1);
  }

  leaseRenewed(shard: string): void {
    this.add(M.renewLeaseSuccess, 1, shard);
  }

  recordGetRecordsTime(shard: string, millis: number): void {
    this.add(M.getRecordsTime, millis, shard);
  }

  recordProcessRecordsTime(shard: string, millis: number): void {
    this.add(M.processRecordsTime, millis, shard);
  }

  incrProcessRecordsErrors(shard: string): void {
    this.add(M.processRecordsErrors, 1, shard);
  }

  processorStuck(shard: string, millis: number): void {
    this.add(M.processorStuck, millis, shard);
  }

  processorFailing(shard: string, attempts: number): void {
    this.add(M.processorFailing, attempts, shard);
  }

  batchSkipped(shard: string, records: number): void {
    this.add(M.skippedRecords, records, shard);
  }

  recordCheckpointTime(shard: string, millis: number): void {
    this.add(M.checkpointTime, millis, shard);
  }

  incrCheckpointFailures(shard: string, code: string): void {
    this.add(M.checkpointFailures, 1, shard, [{ Name: 'ErrorCode', Value: code }]);
  }

  recordLeaseStoreCallTime(operation: string, millis: number): void {
    this.add(M.leaseStoreTime, millis, undefined, [{ Name: 'StoreOperation', Value: operation }]);
  }

  incrLeaseStoreErrors(operation: string, code: string): void {
    this.add(M.leaseStoreErrors, 1, undefined, [
      { Name: 'StoreOperation', Value: operation },
      { Name: 'ErrorCode', Value: code },
    ]);
  }

  leaseStoreHealth(healthy: boolean): void {
    this.healthy = healthy;
  }

  /**
   * Sends what is buffered now (also called by the timer and on shutdown). Never rejects: failures are logged and
   * the data kept for the next flush. Flushes run one at a time.
   */
  flush(): Promise<void> {
    const next = this.flushing.then(() => this.flushNow());
    this.flushing = next.catch((error: unknown) => this.options.logger?.warn('CloudWatch metrics flush failed', { error }));
    return this.flushing;
  }

  /** Stops the timer, flushes the buffer and destroys the client it created. */
  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    if (this.ownsClient) this.client?.destroy();
    this.client = undefined;
    this.ownsClient = false;
  }

  private output(): 'putMetricData' | 'emf' {
    return this.options.output ?? 'putMetricData';
  }

  private add(metric: MetricDefinition, value: number, shard?: string, extra: Dimension[] = []): void {
    try {
      if (!this.initialised) return;
      const dimensions: Dimension[] = [{ Name: 'Operation', Value: metric.operation }];
      if (metric.perShard && shard !== undefined && this.options.dimensions?.shardId !== false) dimensions.push({ Name: 'ShardId', Value: shard });
      if (this.options.dimensions?.workerIdentifier !== false) dimensions.push({ Name: 'WorkerIdentifier', Value: this.workerIdentifier });
      this.buffer.add(metric.name, metric.unit, [...dimensions, ...extra], value);
    } catch (error) {
      this.options.logger?.warn('CloudWatch metric dropped', { metric: metric.name, error });
    }
  }

  private async flushNow(): Promise<void> {
    if (!this.initialised) return;
    // Gauges are sampled once per flush.
    this.add(M.currentLeases, this.held.size);
    if (this.healthy !== undefined) this.add(M.leaseStoreHealthy, this.healthy ? 1 : 0);
    const timestamp = new Date();
    const data = [...this.pending, ...this.buffer.drain(timestamp, this.options.storageResolution ?? 60)];
    this.pending = [];
    if (data.length === 0) return;
    if (this.output() === 'emf') {
      const write = this.options.emfWriter ?? ((line: string) => process.stdout.write(`${line}\n`));
      for (const document of toEmfDocuments(data, this.namespace, timestamp)) write(document);
      return;
    }
    const client = this.client;
    if (!client) {
      this.keep(data);
      return;
    }
    const failed: MetricDatum[] = [];
    for (const batch of toBatches(data, this.namespace)) {
      try {
        await client.send(new PutMetricDataCommand({ Namespace: this.namespace, MetricData: batch }));
      } catch (error) {
        failed.push(...batch);
        this.options.logger?.warn('PutMetricData failed; keeping the data for the next flush', {
          code: errorCode(error),
          datums: batch.length,
          error,
        });
      }
    }
    this.keep(failed);
  }

  /** Keeps `data` for the next flush, dropping the oldest beyond `maxBufferedDatums`. */
  private keep(data: MetricDatum[]): void {
    const max = this.options.maxBufferedDatums ?? DEFAULT_MAX_BUFFERED_DATUMS;
    const all = [...this.pending, ...data];
    const dropped = all.length - max;
    if (dropped > 0) this.options.logger?.warn('CloudWatch metric buffer full; dropping the oldest data', { dropped });
    this.pending = dropped > 0 ? all.slice(dropped) : all;
  }
}

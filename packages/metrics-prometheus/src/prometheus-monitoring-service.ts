import type { AddressInfo } from 'node:net';
import { ConfigError, type Logger, type MonitoringService } from '@kcl/core';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { BASE_LABELS, metricSetFor, type MetricSet } from './metric-set';
import { MetricsServer } from './metrics-server';
import { parseListenAddress, type PrometheusMonitoringOptions } from './options';

/**
 * A {@link MonitoringService} that exports @kcl's metrics to Prometheus.
 *
 * - Standalone mode (default): its own Registry and an HTTP server on `listenAddress` (default ":8080") serving
 *   `/metrics`; the server starts with the worker and stops on worker shutdown.
 * - External mode (`registry` or `registerer` given): collectors are registered in that registry; no server.
 *
 * Metrics (labels application, stream, shard, worker, and region when set): kcl_processed_records_total,
 * kcl_processed_bytes_total, kcl_millis_behind_latest, kcl_leases_held, kcl_lease_renewals_total,
 * kcl_get_records_duration_milliseconds, kcl_process_records_duration_milliseconds, kcl_process_records_errors_total,
 * kcl_processor_stuck_total, kcl_processor_stuck_milliseconds, kcl_processor_failing_attempts, kcl_skipped_batches_total,
 * kcl_skipped_records_total, kcl_checkpoint_duration_milliseconds, kcl_checkpoint_failures_total (+ code); worker-level
 * (no shard label): kcl_lease_store_call_duration_milliseconds (+ operation), kcl_lease_store_errors_total
 * (+ operation, code), kcl_lease_store_healthy. Standalone mode also serves `/healthz` (see `healthPath`).
 */
export class PrometheusMonitoringService implements MonitoringService {
  /** The registry the collectors live in (the private one in standalone mode). */
  readonly registry: Registry;
  /** True when a registry was given: no HTTP server is started. */
  readonly external: boolean;
  private readonly region: string | undefined;
  private logger: Logger | undefined;
  private readonly server: MetricsServer | undefined;
  private metrics: MetricSet | undefined;
  private base: Record<string, string> = {};
  private readonly workerLabel: string | undefined;
  private storeHealthy = false;

  /** go-kcl style: `new PrometheusMonitoringService(':8080', 'us-east-1', logger)`. */
  constructor(listenAddress: string, region?: string, logger?: Logger);
  constructor(options?: PrometheusMonitoringOptions);
  constructor(first?: string | PrometheusMonitoringOptions, region?: string, logger?: Logger) {
    const options: PrometheusMonitoringOptions =
      typeof first === 'string' ? { listenAddress: first, ...(region ? { region } : {}), ...(logger ? { logger } : {}) } : (first ?? {});
    if (options.registry && options.registerer && options.registry !== options.registerer) {
      throw new ConfigError('registerer', '<Registry>', 'only one of registry or registerer', 'They are aliases; pass one registry.');
    }
    const external = options.registry ?? options.registerer;
    if (external !== undefined && !(typeof external === 'object' && typeof external.getSingleMetric === 'function')) {
      throw new ConfigError('registry', typeof external, 'a prom-client Registry');
    }
    if (options.region !== undefined && (typeof options.region !== 'string' || options.region.trim() === '')) {
      throw new ConfigError('region', options.region, 'a non-empty AWS region name such as "us-east-1", or leave it unset');
    }
    if (options.workerLabel !== undefined && (typeof options.workerLabel !== 'string' || options.workerLabel.trim() === '')) {
      throw new ConfigError('workerLabel', options.workerLabel, 'a non-empty string (e.g. the host name), or leave it unset for the worker id');
    }
    this.workerLabel = options.workerLabel;
    this.region = options.region;
    this.logger = options.logger;
    this.external = external !== undefined;
    this.registry = external ?? new Registry();
    if (!this.external) {
      const listenAddress = options.listenAddress ?? ':8080';
      const parsed = parseListenAddress(listenAddress);
      if (typeof parsed === 'string') throw new ConfigError('listenAddress', listenAddress, '"host:port" or ":port" with port 0-65535', parsed);
      const path = options.path ?? '/metrics';
      if (!path.startsWith('/')) throw new ConfigError('path', path, 'a URL path starting with "/"');
      const healthPath = options.healthPath ?? '/healthz';
      if (healthPath !== false && (typeof healthPath !== 'string' || !healthPath.startsWith('/') || healthPath === path)) {
        throw new ConfigError('healthPath', healthPath, 'a URL path starting with "/" other than the metrics path, or false');
      }
      const health = healthPath === false ? undefined : { path: healthPath, healthy: () => this.storeHealthy };
      this.server = new MetricsServer(this.registry, parsed, path, () => this.logger, health);
    }
    if (options.collectDefaultMetrics === true && this.registry.getSingleMetric('process_cpu_user_seconds_total') === undefined) {
      collectDefaultMetrics({ register: this.registry });
    }
  }

  init(appName: string, streamName: string, workerId: string): void {
    const worker = this.workerLabel ?? workerId;
    this.base = { application: appName, stream: streamName, worker, ...(this.region ? { region: this.region } : {}) };
    this.metrics = metricSetFor(this.registry, this.region ? [...BASE_LABELS, 'region'] : BASE_LABELS);
  }

  /** Starts the HTTP server in standalone mode (no-op in external mode). */
  async start(): Promise<void> {
    await this.server?.start();
  }

  /** The standalone server's bound address (after `start()`), e.g. to read a port chosen with ":0". */
  address(): AddressInfo | undefined {
    return this.server?.address();
  }

  incrRecordsProcessed(shard: string, count: number): void {
    this.metrics?.recordsProcessed.inc(this.labels(shard), count);
  }

  incrBytesProcessed(shard: string, count: number): void {
    this.metrics?.bytesProcessed.inc(this.labels(shard), count);
  }

  millisBehindLatest(shard: string, millis: number): void {
    this.metrics?.millisBehindLatest.set(this.labels(shard), millis);
  }

  leaseGained(shard: string): void {
    this.metrics?.leasesHeld.set(this.labels(shard), 1);
  }

  leaseLost(shard: string): void {
    this.metrics?.leasesHeld.set(this.labels(shard), 0);
    this.metrics?.processorStuckMillis.set(this.labels(shard), 0);
    this.metrics?.processorFailingAttempts.set(this.labels(shard), 0);
  }

  leaseRenewed(shard: string): void {
    this.metrics?.leaseRenewals.inc(this.labels(shard));
  }

  recordGetRecordsTime(shard: string, millis: number): void {
    this.metrics?.getRecordsDuration.observe(this.labels(shard), millis);
  }

  recordProcessRecordsTime(shard: string, millis: number): void {
    this.metrics?.processRecordsDuration.observe(this.labels(shard), millis);
    this.metrics?.processorStuckMillis.set(this.labels(shard), 0);
  }

  incrProcessRecordsErrors(shard: string): void {
    this.metrics?.processRecordsErrors.inc(this.labels(shard));
  }

  processorStuck(shard: string, millis: number): void {
    this.metrics?.processorStuckReports.inc(this.labels(shard));
    this.metrics?.processorStuckMillis.set(this.labels(shard), millis);
  }

  processorFailing(shard: string, attempts: number): void {
    this.metrics?.processorFailingAttempts.set(this.labels(shard), attempts);
  }

  batchSkipped(shard: string, records: number): void {
    this.metrics?.skippedBatches.inc(this.labels(shard));
    this.metrics?.skippedRecords.inc(this.labels(shard), records);
  }

  recordCheckpointTime(shard: string, millis: number): void {
    this.metrics?.checkpointDuration.observe(this.labels(shard), millis);
  }

  incrCheckpointFailures(shard: string, code: string): void {
    this.metrics?.checkpointFailures.inc({ ...this.labels(shard), code });
  }

  recordLeaseStoreCallTime(operation: string, millis: number): void {
    this.metrics?.leaseStoreCallDuration.observe({ ...this.base, operation }, millis);
  }

  incrLeaseStoreErrors(operation: string, code: string): void {
    this.metrics?.leaseStoreErrors.inc({ ...this.base, operation, code });
  }

  leaseStoreHealth(healthy: boolean): void {
    this.storeHealthy = healthy;
    this.metrics?.leaseStoreHealthy.set(this.base, healthy ? 1 : 0);
  }

  /** True while the worker's lease store is healthy (what the standalone health endpoint answers 200 for). */
  isLeaseStoreHealthy(): boolean {
    return this.storeHealthy;
  }

  /** Stops the standalone server. Collectors stay registered (their values remain scrapeable in external mode). */
  async shutdown(): Promise<void> {
    this.storeHealthy = false;
    await this.server?.stop();
  }

  private labels(shard: string): Record<string, string> {
    return { ...this.base, shard };
  }
}

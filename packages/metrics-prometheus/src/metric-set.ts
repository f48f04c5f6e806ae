import { ConfigError } from '@kcl/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Labels on every @kcl metric. `region` is only present when configured. */
export const BASE_LABELS = ['application', 'stream', 'shard', 'worker'] as const;

/** Millisecond buckets for GetRecords and processRecords durations (1 ms .. 60 s). */
const DURATION_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000];

/**
 * Metric names are fixed (prefix `kcl_`): they are valid whatever the application name is (go-kcl prefixed them
 * with the application name, so "my-app" produced invalid names). The application is a label instead.
 */
export const METRIC_NAMES = {
  recordsProcessed: 'kcl_processed_records_total',
  bytesProcessed: 'kcl_processed_bytes_total',
  millisBehindLatest: 'kcl_millis_behind_latest',
  leasesHeld: 'kcl_leases_held',
  leaseRenewals: 'kcl_lease_renewals_total',
  getRecordsDuration: 'kcl_get_records_duration_milliseconds',
  processRecordsDuration: 'kcl_process_records_duration_milliseconds',
  processRecordsErrors: 'kcl_process_records_errors_total',
  processorStuckReports: 'kcl_processor_stuck_total',
  processorStuckMillis: 'kcl_processor_stuck_milliseconds',
  processorFailingAttempts: 'kcl_processor_failing_attempts',
  skippedBatches: 'kcl_skipped_batches_total',
  skippedRecords: 'kcl_skipped_records_total',
  checkpointDuration: 'kcl_checkpoint_duration_milliseconds',
  checkpointFailures: 'kcl_checkpoint_failures_total',
  leaseStoreCallDuration: 'kcl_lease_store_call_duration_milliseconds',
  leaseStoreErrors: 'kcl_lease_store_errors_total',
  leaseStoreHealthy: 'kcl_lease_store_healthy',
} as const;

export interface MetricSet {
  recordsProcessed: Counter<string>;
  bytesProcessed: Counter<string>;
  millisBehindLatest: Gauge<string>;
  leasesHeld: Gauge<string>;
  leaseRenewals: Counter<string>;
  getRecordsDuration: Histogram<string>;
  processRecordsDuration: Histogram<string>;
  processRecordsErrors: Counter<string>;
  processorStuckReports: Counter<string>;
  processorStuckMillis: Gauge<string>;
  processorFailingAttempts: Gauge<string>;
  skippedBatches: Counter<string>;
  skippedRecords: Counter<string>;
  checkpointDuration: Histogram<string>;
  checkpointFailures: Counter<string>;
  leaseStoreCallDuration: Histogram<string>;
  leaseStoreErrors: Counter<string>;
  leaseStoreHealthy: Gauge<string>;
}

/** Marks collectors created by @kcl so several monitoring services (one per worker) can share one registry. */
const KCL_COLLECTOR = Symbol.for('@kcl/metrics-prometheus/collector');

/**
 * Returns the @kcl collectors of `registry`, creating them on first use. Workers in one process may share a registry
 * (they differ by the `worker` label). A metric of the same name that @kcl did not create is a ConfigError.
 */
export function metricSetFor(registry: Registry, labelNames: readonly string[]): MetricSet {
  const labels = [...labelNames];
  // Worker-level metrics (lease-store calls, health) have no shard label.
  const workerLabels = labels.filter((label) => label !== 'shard');
  const make = <T extends object>(name: string, create: () => T, expected: readonly string[] = labels): T => {
    const existing = registry.getSingleMetric(name) as (T & { [KCL_COLLECTOR]?: string }) | undefined;
    if (existing) {
      if (existing[KCL_COLLECTOR] !== expected.join(',')) {
        throw new ConfigError(
          'registry',
          name,
          `a registry where "${name}" is not already registered by something else`,
          existing[KCL_COLLECTOR] === undefined
            ? 'Another collector with this name is registered in that registry; use a separate Registry for @kcl.'
            : 'It was registered by @kcl with a different label set (region set for one worker and not for another); use the same region option for every worker sharing a registry.',
        );
      }
      return existing;
    }
    const metric = create();
    Object.defineProperty(metric, KCL_COLLECTOR, { value: expected.join(',') });
    return metric;
  };
  const registers = [registry];
  return {
    recordsProcessed: make(
      METRIC_NAMES.recordsProcessed,
      () => new Counter({ name: METRIC_NAMES.recordsProcessed, help: 'Records delivered to record processors', labelNames: labels, registers }),
    ),
    bytesProcessed: make(
      METRIC_NAMES.bytesProcessed,
      () => new Counter({ name: METRIC_NAMES.bytesProcessed, help: 'Payload bytes delivered to record processors', labelNames: labels, registers }),
    ),
    millisBehindLatest: make(
      METRIC_NAMES.millisBehindLatest,
      () =>
        new Gauge({
          name: METRIC_NAMES.millisBehindLatest,
          help: 'MillisBehindLatest of the last GetRecords response per shard',
          labelNames: labels,
          registers,
        }),
    ),
    leasesHeld: make(
      METRIC_NAMES.leasesHeld,
      () => new Gauge({ name: METRIC_NAMES.leasesHeld, help: 'Leases held by the worker (1 per held shard)', labelNames: labels, registers }),
    ),
    leaseRenewals: make(
      METRIC_NAMES.leaseRenewals,
      () => new Counter({ name: METRIC_NAMES.leaseRenewals, help: 'Successful lease renewals', labelNames: labels, registers }),
    ),
    getRecordsDuration: make(
      METRIC_NAMES.getRecordsDuration,
      () =>
        new Histogram({
          name: METRIC_NAMES.getRecordsDuration,
          help: 'Duration of GetRecords calls in milliseconds',
          labelNames: labels,
          buckets: DURATION_BUCKETS_MS,
          registers,
        }),
    ),
    processRecordsDuration: make(
      METRIC_NAMES.processRecordsDuration,
      () =>
        new Histogram({
          name: METRIC_NAMES.processRecordsDuration,
          help: 'Duration of processRecords calls in milliseconds',
          labelNames: labels,
          buckets: DURATION_BUCKETS_MS,
          registers,
        }),
    ),
    processRecordsErrors: make(
      METRIC_NAMES.processRecordsErrors,
      () =>
        new Counter({
          name: METRIC_NAMES.processRecordsErrors,
          help: 'processRecords calls that threw (the batch is retried)',
          labelNames: labels,
          registers,
        }),
    ),
    processorStuckReports: make(
      METRIC_NAMES.processorStuckReports,
      () =>
        new Counter({
          name: METRIC_NAMES.processorStuckReports,
          help: 'Reports of a record processor call running longer than logWarningForTaskAfterMillis',
          labelNames: labels,
          registers,
        }),
    ),
    processorStuckMillis: make(
      METRIC_NAMES.processorStuckMillis,
      () =>
        new Gauge({
          name: METRIC_NAMES.processorStuckMillis,
          help: 'How long the stuck processor call of a shard has been running (0 once a processRecords completes or the lease is lost)',
          labelNames: labels,
          registers,
        }),
    ),
    processorFailingAttempts: make(
      METRIC_NAMES.processorFailingAttempts,
      () =>
        new Gauge({
          name: METRIC_NAMES.processorFailingAttempts,
          help: 'Consecutive failed calls of the record processor of a shard (initialize, or processRecords with one batch); 0 once a call succeeds, the batch is skipped or the lease is lost',
          labelNames: labels,
          registers,
        }),
    ),
    skippedBatches: make(
      METRIC_NAMES.skippedBatches,
      () =>
        new Counter({
          name: METRIC_NAMES.skippedBatches,
          help: 'Batches skipped by the skip processor failure policy',
          labelNames: labels,
          registers,
        }),
    ),
    skippedRecords: make(
      METRIC_NAMES.skippedRecords,
      () =>
        new Counter({
          name: METRIC_NAMES.skippedRecords,
          help: 'Records in batches skipped by the skip processor failure policy',
          labelNames: labels,
          registers,
        }),
    ),
    checkpointDuration: make(
      METRIC_NAMES.checkpointDuration,
      () =>
        new Histogram({
          name: METRIC_NAMES.checkpointDuration,
          help: 'Duration of checkpoint writes to the lease store in milliseconds',
          labelNames: labels,
          buckets: DURATION_BUCKETS_MS,
          registers,
        }),
    ),
    checkpointFailures: make(
      METRIC_NAMES.checkpointFailures,
      () =>
        new Counter({
          name: METRIC_NAMES.checkpointFailures,
          help: 'Checkpoint writes that failed, by error code (LEASE_LOST, LEASE_STORE_UNAVAILABLE, ...)',
          labelNames: [...labels, 'code'],
          registers,
        }),
      [...labels, 'code'],
    ),
    leaseStoreCallDuration: make(
      METRIC_NAMES.leaseStoreCallDuration,
      () =>
        new Histogram({
          name: METRIC_NAMES.leaseStoreCallDuration,
          help: 'Duration of lease-store calls in milliseconds, by Checkpointer operation',
          labelNames: [...workerLabels, 'operation'],
          buckets: DURATION_BUCKETS_MS,
          registers,
        }),
      [...workerLabels, 'operation'],
    ),
    leaseStoreErrors: make(
      METRIC_NAMES.leaseStoreErrors,
      () =>
        new Counter({
          name: METRIC_NAMES.leaseStoreErrors,
          help: 'Lease-store calls that failed because of the store (unreachable, timeout, 5xx), by operation and error code',
          labelNames: [...workerLabels, 'operation', 'code'],
          registers,
        }),
      [...workerLabels, 'operation', 'code'],
    ),
    leaseStoreHealthy: make(
      METRIC_NAMES.leaseStoreHealthy,
      () =>
        new Gauge({
          name: METRIC_NAMES.leaseStoreHealthy,
          help: '1 while the last lease-store call reached the store, 0 after a store failure',
          labelNames: workerLabels,
          registers,
        }),
      workerLabels,
    ),
  };
}

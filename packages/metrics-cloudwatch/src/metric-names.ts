import type { StandardUnit } from '@aws-sdk/client-cloudwatch';

/** A metric as the Java KCL names it: the `Operation` dimension it belongs to, its name and unit. */
export interface MetricDefinition {
  operation: string;
  name: string;
  unit: StandardUnit;
  /** Per shard (gets the `ShardId` dimension) or per worker. */
  perShard: boolean;
}

const def = (operation: string, name: string, unit: StandardUnit, perShard: boolean): MetricDefinition => ({
  operation,
  name,
  unit,
  perShard,
});

/**
 * The metrics sent to CloudWatch. Names, units and `Operation` values follow the Java KCL where it has the metric
 * (ProcessTask, RenewAllLeases, TakeLeases); the others use the same style under their own operations.
 */
export const CLOUDWATCH_METRICS = {
  recordsProcessed: def('ProcessTask', 'RecordsProcessed', 'Count', true),
  bytesProcessed: def('ProcessTask', 'DataBytesProcessed', 'Bytes', true),
  millisBehindLatest: def('ProcessTask', 'MillisBehindLatest', 'Milliseconds', true),
  processRecordsTime: def('ProcessTask', 'RecordProcessor.processRecords.Time', 'Milliseconds', true),
  processRecordsErrors: def('ProcessTask', 'RecordProcessor.processRecords.Errors', 'Count', true),
  processorStuck: def('ProcessTask', 'RecordProcessor.Stuck.Time', 'Milliseconds', true),
  processorFailing: def('ProcessTask', 'RecordProcessor.FailingAttempts', 'Count', true),
  skippedRecords: def('ProcessTask', 'SkippedRecords', 'Count', true),
  getRecordsTime: def('ProcessTask', 'GetRecords.Time', 'Milliseconds', true),
  renewLeaseSuccess: def('RenewAllLeases', 'RenewLease.Success', 'Count', true),
  currentLeases: def('RenewAllLeases', 'CurrentLeases', 'Count', false),
  lostLeases: def('RenewAllLeases', 'LostLeases', 'Count', false),
  takenLeases: def('TakeLeases', 'TakenLeases', 'Count', false),
  checkpointTime: def('Checkpoint', 'Checkpoint.Time', 'Milliseconds', true),
  checkpointFailures: def('Checkpoint', 'Checkpoint.Failures', 'Count', true),
  leaseStoreTime: def('LeaseStore', 'LeaseStore.Time', 'Milliseconds', false),
  leaseStoreErrors: def('LeaseStore', 'LeaseStore.Errors', 'Count', false),
  leaseStoreHealthy: def('LeaseStore', 'LeaseStore.Healthy', 'None', false),
} as const satisfies Record<string, MetricDefinition>;

export type CloudWatchMetricKey = keyof typeof CLOUDWATCH_METRICS;

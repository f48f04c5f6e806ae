/**
 * Instrument names (OpenTelemetry style: dotted, unit in the `unit` field, not in the name). Every measurement has the
 * attributes `application`, `stream`, `worker` (and `shard` for per-shard instruments), as the Prometheus labels.
 */
export const INSTRUMENT_NAMES = {
  recordsProcessed: 'kcl.records.processed',
  bytesProcessed: 'kcl.bytes.processed',
  millisBehindLatest: 'kcl.shard.millis_behind_latest',
  leasesHeld: 'kcl.leases.held',
  leaseRenewals: 'kcl.lease.renewals',
  getRecordsDuration: 'kcl.get_records.duration',
  processRecordsDuration: 'kcl.process_records.duration',
  processRecordsErrors: 'kcl.process_records.errors',
  processorStuck: 'kcl.processor.stuck',
  skippedRecords: 'kcl.records.skipped',
  checkpointDuration: 'kcl.checkpoint.duration',
  checkpointFailures: 'kcl.checkpoint.failures',
  leaseStoreCallDuration: 'kcl.lease_store.call.duration',
  leaseStoreErrors: 'kcl.lease_store.errors',
  leaseStoreHealthy: 'kcl.lease_store.healthy',
} as const;

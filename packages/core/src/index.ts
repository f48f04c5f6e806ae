export * from './errors';
export * from './checkpoint/shard-status';
export type { Checkpointer } from './checkpoint/checkpointer';
export { COORDINATION_KEY_PREFIX, COORDINATOR_LEASE_ID } from './checkpoint/coordination';
export type { CoordinatorLease, OwnedLease, WorkerHeartbeat } from './checkpoint/coordination';
export { assertStorableCheckpoint, judgeCheckpointMove } from './checkpoint/checkpoint-order';
export { LEASE_ROW_FIELDS, STORED_LEASE_FIELDS, applyStoredLease, copyStoredLease, groupActiveWorkers } from './checkpoint/lease-row';
export type { StoredLease } from './checkpoint/lease-row';
export { isLeaseRenewal, takeOrRenewLease } from './checkpoint/lease-transitions';
export type { CheckpointMove, StoredCheckpoint } from './checkpoint/checkpoint-order';
export { ShutdownReason } from './processor/shutdown-reason';
export type {
  KinesisClientRecord,
  PreparedCheckpointer,
  RecordProcessorCheckpointer,
  InitializationInput,
  ProcessRecordsInput,
  ShutdownInput,
  RecordProcessor,
  RecordProcessorFactory,
} from './processor/record-processor';
export { InitialPositionInStream } from './config/initial-position';
export { KinesisClientLibConfig } from './config/kcl-config';
export type {
  KclCredentials,
  ProcessorFailureAction,
  ProcessorFailurePolicy,
  KclConfigFields,
  KclConfigOptions,
  KclOptionName,
  KclOptionValues,
} from './config/kcl-config';
export type { MonitoringService } from './metrics/monitoring-service';
export { NoopMonitoringService } from './metrics/monitoring-service';
export { errorCode, UNKNOWN_ERROR_CODE } from './metrics/error-code';
export { isLeaseStoreFailure } from './worker/lease-store-failure';
export type { Logger, LogFields } from './logger/logger';
export { NOOP_LOGGER } from './logger/logger';
export type { KclCredentialProvider, KclCredentialsSource } from './config/kcl-config';
export { KCL_CONFIG_DEFAULTS, KCL_CONFIG_LIMITS } from './config/defaults';
export type { KclDefaultedOption } from './config/defaults';
export { createWinstonLogger, getDefaultLogger, LOG_LEVEL_ENV } from './logger/winston-logger';
export type { KclLogLevel, WinstonLoggerOptions } from './logger/winston-logger';
export { createKinesisClient } from './kinesis/client-factory';
export { redactEndpoint } from './config/redact-endpoint';
export { retry, sleep } from './retry';
export type { RetryOptions, RetryInfo } from './retry';
export { LeaseObserver } from './leases/lease-observer';
export type { LeaseObserverOptions } from './leases/lease-observer';
export { systemMonotonicClock } from './leases/monotonic-clock';
export type { MonotonicClock } from './leases/monotonic-clock';
export { deaggregateRecords } from './kpl/deaggregate';
export type { DeaggregateOptions, OutOfRangeInfo, CorruptAggregateInfo } from './kpl/deaggregate';
export type { HashKeyRange } from './kpl/hash-key';
export { Worker } from './worker/worker';
export type { WorkerState, WorkerOptions, WithCheckpointerOptions } from './worker/worker-options';
export type { WorkerStatus, HeldLeaseStatus, LeaseStoreHealth, LeaseStoreLastError } from './worker/worker-status';
export type { ProcessorOperation } from './consumers/processor-watchdog';
export type { WorkerEvents, WorkerEventName, WorkerEventListener, ProcessorFailingEvent, BatchSkippedEvent } from './worker/worker-events';
export type { LeaseLostReason } from './leases/held-lease';
export type { ChildShardInfo } from './shards/shard-registry';
export { KINESIS_HTTP_TIMEOUTS } from './kinesis/client-factory';
export type { KinesisHttpTimeouts } from './kinesis/client-factory';

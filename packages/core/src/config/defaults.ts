import { InitialPositionInStream } from './initial-position';

/**
 * Default values of every {@link KinesisClientLibConfig} option. Numbers are go-kcl's defaults
 * (clientlibrary/config/config.go) unless noted.
 */
export const KCL_CONFIG_DEFAULTS = Object.freeze({
  initialPositionInStream: InitialPositionInStream.LATEST,
  failoverTimeMillis: 10_000,
  leaseRefreshPeriodMillis: 5_000,
  maxRecords: 10_000,
  /** go-kcl: math.MaxInt16. */
  maxLeasesForWorker: 32_767,
  shardSyncIntervalMillis: 60_000,
  idleTimeBetweenReadsInMillis: 1_000,
  callProcessRecordsEvenForEmptyRecordList: false,
  taskBackoffTimeMillis: 500,
  maxRetryCount: 5,
  enableEnhancedFanOutConsumer: false,
  /** Not go-kcl's default (false there): the leader balances leases by hand-offs unless turned off. */
  enableLeaseStealing: true,
  leaseStealingIntervalMillis: 5_000,
  leaseSyncingTimeIntervalMillis: 60_000,
  /** Not settable in go-kcl (whose unused field defaults to 5000); @kcl bounds graceful shutdown with it. */
  shutdownGraceMillis: 30_000,
  /** Not in go-kcl; the Java KCL's `logWarningForTaskAfterMillis` (off there by default). */
  logWarningForTaskAfterMillis: 60_000,
  /** Not in go-kcl (fixed back-off there): cap of the growing wait after a record processor call threw. */
  maxTaskBackoffTimeMillis: 30_000,
  /** Not in go-kcl: what happens to a batch whose processRecords keeps throwing (retry forever, as go-kcl). */
  processorFailurePolicy: Object.freeze({ action: 'retry' as const }),
  /** Not in go-kcl: give the lease up when a processor call runs longer than this; 0 = off. */
  maxProcessingTimeMillis: 0,
  /** Not in go-kcl: warn (once per lease) after this many batches processed without a checkpoint; 0 = off. */
  warnAfterBatchesWithoutCheckpoint: 100,
});

/** Limits used by validation, exported so callers can show them. */
export const KCL_CONFIG_LIMITS = Object.freeze({
  /** Upper bound of every *Millis option: one day. */
  maxMillis: 86_400_000,
  /** Kinesis GetRecords accepts at most 10000 records per call. */
  maxRecords: 10_000,
  maxLeasesForWorker: 1_000_000,
  maxRetryCount: 100,
  maxWorkerIdLength: 256,
  /** Upper bound of `processorFailurePolicy.maxAttempts` and of `warnAfterBatchesWithoutCheckpoint`. */
  maxCount: 1_000_000,
});

/** Limits used by validation, exported so callers can show them. */
export const KCL_CONFIG_LIMITS = Object.freeze({
  /** Upper bound of every *Millis option: one day. */
  maxMillis: 86_400_000,
  /** Kinesis GetRecords accepts at most 10000 records per call. */
  maxRecords: 10_000,
  maxLeasesForWorker: 1_000_000,
  maxConcurrentGetRecords: 10_000,
  maxRetryCount: 100,
  maxWorkerIdLength: 256,
  /** Upper bound of `processorFailurePolicy.maxAttempts` and of `warnAfterBatchesWithoutCheckpoint`. */
  maxCount: 1_000_000,
});

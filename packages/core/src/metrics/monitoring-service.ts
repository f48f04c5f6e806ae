/**
 * Metrics sink used by the worker (go-kcl's `MonitoringService`, camelCase). Implementations must never throw from
 * the record/observe methods; `init`, `start` and `shutdown` may be async.
 * `@kcl/metrics-prometheus` provides a Prometheus implementation; {@link NoopMonitoringService} is the default.
 */
export interface MonitoringService {
  /** Called once by the worker before `start`. */
  init(appName: string, streamName: string, workerId: string): void | Promise<void>;
  start(): void | Promise<void>;
  incrRecordsProcessed(shard: string, count: number): void;
  incrBytesProcessed(shard: string, count: number): void;
  millisBehindLatest(shard: string, millis: number): void;
  leaseGained(shard: string): void;
  leaseLost(shard: string): void;
  leaseRenewed(shard: string): void;
  /** Duration of one GetRecords call in milliseconds. */
  recordGetRecordsTime(shard: string, millis: number): void;
  /** Duration of one processRecords call in milliseconds. */
  recordProcessRecordsTime(shard: string, millis: number): void;
  /** Optional: a processRecords call threw (the batch will be retried). */
  incrProcessRecordsErrors?(shard: string): void;
  /**
   * Optional: a record processor call on `shard` has been running for `millis` without returning (reported each time
   * `logWarningForTaskAfterMillis` more has passed).
   */
  processorStuck?(shard: string, millis: number): void;
  /**
   * Optional: consecutive failed calls of the shard's processor (`initialize`, or `processRecords` with one batch):
   * called with 1, 2, 3... at each failure, and with 0 once a call succeeds again or the batch was skipped.
   */
  processorFailing?(shard: string, attempts: number): void;
  /** Optional: a batch of `records` records was skipped by the `skip` processor failure policy. */
  batchSkipped?(shard: string, records: number): void;
  /** Optional: duration of one checkpoint write (`Checkpointer.checkpointSequence`) for `shard`, in milliseconds. */
  recordCheckpointTime?(shard: string, millis: number): void;
  /**
   * Optional: a checkpoint write for `shard` failed; `code` is a stable label from `errorCode()` (e.g. `LEASE_LOST`,
   * `LEASE_STORE_UNAVAILABLE`). Counted per store call, so a checkpoint retried three times counts three failures.
   */
  incrCheckpointFailures?(shard: string, code: string): void;
  /** Optional: duration of one lease-store call, `operation` being the Checkpointer method name (e.g. `renewLeases`). */
  recordLeaseStoreCallTime?(operation: string, millis: number): void;
  /**
   * Optional: a lease-store call failed because of the store (unreachable, timeout, 5xx, throttled; see
   * `isLeaseStoreFailure`), not because it answered "no" (a lost lease or a failed conditional write is not counted).
   */
  incrLeaseStoreErrors?(operation: string, code: string): void;
  /**
   * Optional: lease-store health changed: false after a store failure, true after the next successful call (and after
   * the first successful call of the worker). Called on changes only.
   */
  leaseStoreHealth?(healthy: boolean): void;
  /** Called once when the worker shuts down. */
  shutdown(): void | Promise<void>;
}

/** A MonitoringService that records nothing (the default). */
export class NoopMonitoringService implements MonitoringService {
  init(): void {}
  start(): void {}
  incrRecordsProcessed(): void {}
  incrBytesProcessed(): void {}
  millisBehindLatest(): void {}
  leaseGained(): void {}
  leaseLost(): void {}
  leaseRenewed(): void {}
  recordGetRecordsTime(): void {}
  recordProcessRecordsTime(): void {}
  incrProcessRecordsErrors(): void {}
  processorStuck(): void {}
  processorFailing(): void {}
  batchSkipped(): void {}
  recordCheckpointTime(): void {}
  incrCheckpointFailures(): void {}
  recordLeaseStoreCallTime(): void {}
  incrLeaseStoreErrors(): void {}
  leaseStoreHealth(): void {}
  shutdown(): void {}
}

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
  shutdown(): void {}
}

/**
 * What the shard consumer does with a batch whose `processRecords` keeps throwing (`withProcessorFailurePolicy`).
 * - `retry`: deliver the same batch again, forever (the default; nothing is ever skipped).
 * - `skip`: after `maxAttempts` failed calls, pass the batch over: the `batchSkipped` event, an error log line and the
 *   optional `batchSkipped` metric name it, and a later `checkpoint()` covers it.
 * - `releaseLease`: after `maxAttempts` failed calls, shut the processor down with REQUESTED (it may checkpoint what
 *   succeeded before; the failed batch is not covered) and release the lease so any worker, this one included, takes
 *   the shard again from its last checkpoint.
 */
export type ProcessorFailureAction = 'retry' | 'skip' | 'releaseLease';

/** See {@link ProcessorFailureAction}. */
export interface ProcessorFailurePolicy {
  action: ProcessorFailureAction;
  /**
   * Failed `processRecords` calls with one batch before `skip` or `releaseLease` acts (1 to 1000000; required for
   * them, not allowed with `retry`).
   */
  maxAttempts?: number | undefined;
}

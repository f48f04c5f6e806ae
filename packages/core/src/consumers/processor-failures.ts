/**
 * Failures of a record processor call that is retried (`initialize`, or `processRecords` with the same batch):
 * - the wait before the next call starts at `taskBackoffTimeMillis` and doubles per failure, up to
 *   `maxTaskBackoffTimeMillis` ({@link processorRetryDelay});
 * - reports are rate-limited so a processor that always throws does not flood the log: the 1st failure is logged as
 *   an error with the full error (stack), the 2nd, 4th, 8th... as a warning with the attempt count and the error
 *   message, the others at debug level. The `processorFailing` event follows the same rhythm; the optional
 *   `processorFailing` metric gets every attempt count, and 0 once a call succeeds again.
 * @internal
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger/logger';
import type { ConsumerReporter } from './consumer-reporter';

/** Operations whose failures are retried. */
export type RetriedOperation = 'initialize' | 'processRecords';

/**
 * Wait after failed call number `attempt` (from 1): `baseMs * 2^(attempt - 1)`, at most `max(baseMs, capMs)` (a cap
 * below the base gives a fixed wait of `baseMs`).
 */
export function processorRetryDelay(attempt: number, baseMs: number, capMs: number): number {
  const cap = Math.max(baseMs, capMs);
  const exponent = Math.max(0, Math.min(attempt - 1, 40));
  return Math.min(cap, baseMs * 2 ** exponent);
}

/** True for attempts 1, 2, 4, 8, 16...: the failures reported in full (log line at warning level or above, event). */
export function isReportedAttempt(attempt: number): boolean {
  return Number.isInteger(attempt) && attempt >= 1 && Number.isInteger(Math.log2(attempt));
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Rate-limited reporting of one shard's consecutive processor failures. */
export class ProcessorFailureLog {
  /** Consecutive failures reported to the metric since the last success (0 = none). */
  private streak = 0;
  /** performance.now() of the first failure of the current streak. */
  private since = 0;

  constructor(
    private readonly shardId: string,
    private readonly logger: Logger,
    private readonly report: ConsumerReporter,
  ) {}

  /**
   * Reports failed call number `attempt` of `operation`. `retryInMillis` is the wait before the next call (0 when the
   * failure policy acts instead); `records` the size of the batch (processRecords).
   */
  failed(operation: RetriedOperation, error: unknown, attempt: number, retryInMillis: number, records?: number): void {
    if (attempt === 1 || this.streak === 0) this.since = performance.now();
    this.streak = attempt;
    this.report.metric((m) => m.processorFailing?.(this.shardId, attempt));
    const what = operation === 'initialize' ? 'initialize()' : 'processRecords() with the same batch';
    const fields = {
      shardId: this.shardId,
      operation,
      attempt,
      retryInMillis,
      ...(records === undefined ? {} : { records }),
    };
    if (attempt === 1) {
      this.logger.error(`Record processor ${operation}() threw: calling ${what} again in ${retryInMillis} ms`, { ...fields, error });
    } else if (isReportedAttempt(attempt)) {
      const failingForMillis = Math.round(performance.now() - this.since);
      this.logger.warn(
        `Record processor ${operation}() still failing: ${attempt} failed calls in ${failingForMillis} ms, next in ${retryInMillis} ms: ${messageOf(error)}`,
        { ...fields, failingForMillis, error: messageOf(error) },
      );
    } else {
      this.logger.debug(`Record processor ${operation}() failed again (attempt ${attempt})`, { ...fields, error: messageOf(error) });
    }
    if (isReportedAttempt(attempt)) {
      this.report.processorFailing({ shardId: this.shardId, operation, attempts: attempt, error, retryInMillis });
    }
  }

  /** A call succeeded after failures: the streak is over (info line, metric back to 0). */
  recovered(operation: RetriedOperation): void {
    if (this.streak === 0) return;
    const attempts = this.streak;
    this.reset();
    this.logger.info(`Record processor ${operation}() succeeded after ${attempts} failed calls`, { shardId: this.shardId, operation, attempts });
  }

  /** The streak is over without a success (the batch was skipped): metric back to 0. */
  reset(): void {
    if (this.streak === 0) return;
    this.streak = 0;
    this.report.metric((m) => m.processorFailing?.(this.shardId, 0));
  }
}

/**
 * Kinesis allows 5 GetRecords calls per second per shard. The limiter spaces the START of consecutive calls at least
 * `minIntervalMs` (200 ms) apart on the monotonic clock, which never exceeds 5 calls in any one-second window.
 * @internal
 */
import { systemMonotonicClock, type MonotonicClock } from '../leases/monotonic-clock';
import { sleep } from '../retry';

/** Kinesis: 5 GetRecords per second per shard. */
export const GET_RECORDS_MIN_INTERVAL_MS = 200;

export class GetRecordsRateLimiter {
  private lastStart: number | undefined;

  constructor(
    private readonly minIntervalMs: number = GET_RECORDS_MIN_INTERVAL_MS,
    private readonly now: MonotonicClock = systemMonotonicClock,
  ) {}

  /** How long a call starting now would have to wait. */
  delayMs(): number {
    if (this.lastStart === undefined) return 0;
    return Math.max(0, this.lastStart + this.minIntervalMs - this.now());
  }

  /**
   * Records the start of a call and returns undefined when one may start now (no promise: this runs on every poll);
   * otherwise returns a promise that waits until a call may start, then records the start. The promise rejects with
   * AbortedError if `signal` aborts meanwhile.
   */
  acquire(signal?: AbortSignal): Promise<void> | undefined {
    if (this.delayMs() > 0) return this.acquireLater(signal);
    this.lastStart = this.now();
    return undefined;
  }

  private async acquireLater(signal: AbortSignal | undefined): Promise<void> {
    // Timers may fire a fraction of a millisecond early relative to performance.now(): loop until really due.
    for (let wait = this.delayMs(); wait > 0; wait = this.delayMs()) {
      await sleep(Math.ceil(wait), signal);
    }
    this.lastStart = this.now();
  }
}

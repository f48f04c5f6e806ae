/**
 * The n-th wait (n >= 1) of an exponential back-off with full jitter: uniform in [0, min(maxMillis, baseMillis *
 * 2^(n-1))]. `random()` is taken as in [0, 1); anything else counts as 0.
 * @internal
 */
export function fullJitterDelay(attempt: number, baseMillis: number, maxMillis: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMillis, baseMillis * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  const r = random();
  const fraction = Number.isFinite(r) && r > 0 ? Math.min(r, 1) : 0;
  return Math.floor(fraction * ceiling);
}

/**
 * Exponential back-off with full jitter for loops that retry without end (while the lease is held): the n-th wait in
 * a row is drawn uniformly from [0, min(maxMs, baseMs * 2^(n-1))]. `reset()` after a success.
 * @internal
 */
export class FullJitterBackoff {
  private failures = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Consecutive failures so far. */
  get attempts(): number {
    return this.failures;
  }

  /** Counts one more failure and returns how long to wait before the next try. */
  next(): number {
    this.failures += 1;
    return fullJitterDelay(this.failures, this.baseMs, this.maxMs, this.random);
  }

  reset(): void {
    this.failures = 0;
  }
}

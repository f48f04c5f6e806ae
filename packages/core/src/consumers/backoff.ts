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
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures - 1, 30));
    const r = this.random();
    const fraction = Number.isFinite(r) && r > 0 ? Math.min(r, 1) : 0;
    return Math.floor(fraction * ceiling);
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Counts calls and the most of them in flight at once (wrap each call's promise with {@link track}). */
export class InFlightGauge {
  calls = 0;
  current = 0;
  max = 0;

  track<T>(promise: Promise<T>): Promise<T> {
    this.calls++;
    this.current++;
    this.max = Math.max(this.max, this.current);
    return promise.finally(() => {
      this.current--;
    });
  }

  /** Forgets the calls and the maximum so far (calls still in flight keep counting as in flight). */
  reset(): void {
    this.calls = 0;
    this.max = this.current;
  }
}

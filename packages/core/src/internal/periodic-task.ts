import { callSafely } from './safe-call';

/** Options of {@link PeriodicTask}. */
export interface PeriodicTaskOptions {
  /**
   * One run. May return a delay (ms) after which the next run should happen if that is sooner than the interval
   * (e.g. "a lease expires in 120 ms").
   */
  run: () => Promise<number | void>;
  /** The regular delay between the end of one run and the start of the next; called each time (for jitter). */
  intervalMillis: () => number;
  /** Receives what a run threw; the task keeps going. */
  onError: (error: unknown) => void;
}

/**
 * Runs an async task again and again with a delay between runs, never two runs at once. {@link trigger} asks for an
 * early run (coalesced with one already pending). {@link stop} cancels the timer and waits for a run in progress.
 * Timers are cleared on stop, so a stopped task keeps nothing alive.
 */
export class PeriodicTask {
  private readonly options: PeriodicTaskOptions;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private rerunRequested = false;
  private stopped = true;

  constructor(options: PeriodicTaskOptions) {
    this.options = options;
  }

  /** Starts the loop; the first run happens after `initialDelayMillis`. */
  start(initialDelayMillis = this.options.intervalMillis()): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(initialDelayMillis);
  }

  /** Runs the task as soon as possible (after the run in progress, if any). */
  trigger(): void {
    if (this.stopped) return;
    if (this.current) {
      this.rerunRequested = true;
      return;
    }
    this.schedule(0);
  }

  /** True between start() and stop(). */
  get active(): boolean {
    return !this.stopped;
  }

  /** Stops scheduling runs; resolves when the run in progress (if any) has finished. Never rejects. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
  }

  private schedule(delayMillis: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.execute();
      },
      Math.max(0, delayMillis),
    );
  }

  private execute(): void {
    if (this.stopped || this.current) return;
    this.rerunRequested = false;
    let next = this.options.intervalMillis();
    this.current = (async () => {
      try {
        const hint = await this.options.run();
        if (typeof hint === 'number' && Number.isFinite(hint) && hint >= 0) next = Math.min(next, hint);
      } catch (error) {
        // onError must not break the loop; it is the error reporter of last resort.
        callSafely(() => this.options.onError(error));
      }
    })().finally(() => {
      this.current = undefined;
      if (this.stopped) return;
      this.schedule(this.rerunRequested ? 0 : next);
    });
  }
}

/** `base` scaled by a random factor in [`low`, `high`] (rounded, at least 1 ms). */
export function jittered(base: number, low: number, high: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(base * (low + (high - low) * random())));
}

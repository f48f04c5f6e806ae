import { setTimeout as sleep } from 'node:timers/promises';

/** Kinesis: 5 GetRecords per second per shard, i.e. call starts at least 200 ms apart (as the worker paces them). */
export const GET_RECORDS_MIN_INTERVAL_MS = 200;

/** Spaces the start of consecutive calls at least `minIntervalMs` apart on the monotonic clock. */
export class CallPacer {
  private lastStart: number | undefined;

  constructor(private readonly minIntervalMs: number = GET_RECORDS_MIN_INTERVAL_MS) {}

  /** Waits until a call may start, then records the start. */
  async next(): Promise<void> {
    for (;;) {
      const wait = this.lastStart === undefined ? 0 : this.lastStart + this.minIntervalMs - performance.now();
      if (wait <= 0) break;
      await sleep(Math.ceil(wait));
    }
    this.lastStart = performance.now();
  }
}

/**
 * Shared, coarse timers for the idle waits of shard consumers: a wait is rounded UP to the next multiple of
 * `granularityMs` (never shorter than asked) and all waits that end in the same slot share one `setTimeout`. A worker
 * idle-polling 1,000 shards once a second then wakes the event loop about 1,000 / `granularityMs` times a second per
 * second of spread instead of once per shard, and arms one timer per slot instead of one per wait.
 * @internal
 */

import { performance } from 'node:perf_hooks';

/** Slot width of {@link idleTimerWheel}: waits last at most this much longer than asked. */
export const IDLE_TIMER_GRANULARITY_MS = 10;

export class TimerWheel {
  /** Callbacks per slot (slot = end time / granularity, rounded up), each slot with its one timer. */
  private readonly slots = new Map<number, Array<() => void>>();

  constructor(
    private readonly granularityMs: number = IDLE_TIMER_GRANULARITY_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Number of slots with a pending timer (tests). */
  get pendingSlots(): number {
    return this.slots.size;
  }

  /**
   * Calls `callback` once, no earlier than `ms` from now and less than `granularityMs` later than that. Not
   * cancellable: a caller that stops waiting earlier ignores the late call.
   */
  schedule(ms: number, callback: () => void): void {
    const now = this.now();
    const slot = Math.ceil((now + Math.max(0, ms)) / this.granularityMs);
    const waiting = this.slots.get(slot);
    if (waiting !== undefined) {
      waiting.push(callback);
      return;
    }
    this.slots.set(slot, [callback]);
    setTimeout(this.fire, slot * this.granularityMs - now, slot);
  }

  /** Resolves no earlier than `ms` from now (see {@link schedule}). */
  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => this.schedule(ms, resolve));
  }

  private readonly fire = (slot: number): void => {
    const callbacks = this.slots.get(slot);
    this.slots.delete(slot);
    if (callbacks === undefined) return;
    // Node's timers may fire up to a millisecond early against performance.now(): callbacks not yet due are moved on.
    const early = slot * this.granularityMs - this.now();
    if (early > 0) {
      for (const callback of callbacks) this.schedule(early, callback);
      return;
    }
    for (const callback of callbacks) callback();
  };
}

/** The wheel the idle waits of every shard consumer of the process share. */
export const idleTimerWheel = new TimerWheel();

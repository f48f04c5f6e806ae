import { performance } from 'node:perf_hooks';

/**
 * A monotonic clock: milliseconds since an arbitrary origin, never going backwards and unaffected by wall-clock
 * changes (NTP steps, manual changes). Only differences between two readings of the same clock mean anything.
 */
export type MonotonicClock = () => number;

/** The process's monotonic clock (`performance.now()`). */
export const systemMonotonicClock: MonotonicClock = () => performance.now();

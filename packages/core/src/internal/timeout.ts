import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits for `promise` at most `millis` (never rejects): true if it settled (resolved or rejected) in time. The timer
 * is cancelled as soon as the race is decided, so nothing is left to keep the process alive.
 * @internal
 */
export async function settleWithin(promise: Promise<unknown>, millis: number): Promise<boolean> {
  const value = await raceTimeout(
    promise.then(
      () => true,
      () => true,
    ),
    millis,
  );
  return value === true;
}

/**
 * The value of `promise` (or its rejection), or `'timeout'` after `millis`, on `timers/promises` with the timer
 * cancelled once the race is decided.
 * @internal
 */
export async function raceTimeout<T>(promise: Promise<T>, millis: number): Promise<T | 'timeout'> {
  const cancel = new AbortController();
  const timeout = delay(Math.max(0, millis), 'timeout' as const, { signal: cancel.signal }).catch(() => 'timeout' as const);
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    cancel.abort();
  }
}

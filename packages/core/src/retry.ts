import { AbortedError, InvalidArgumentError, RetryExhaustedError, isKclError } from './errors';
import { fullJitterDelay } from './internal/backoff';

/** Passed to {@link RetryOptions.onRetry} before each wait. */
export interface RetryInfo {
  /** The failure that is about to be retried. */
  error: unknown;
  /** Number of the attempt that failed (1 = the first call). */
  attempt: number;
  /** How long the helper waits before the next attempt. */
  delayMillis: number;
}

export interface RetryOptions {
  /**
   * Retries after the first attempt (so at most `retries + 1` calls).
   * @defaultValue `5`
   */
  retries?: number;
  /**
   * Base delay: the wait before retry n is drawn uniformly from [0, min(maxDelayMillis, minDelayMillis * 2^(n-1))]
   * ("full jitter").
   * @defaultValue `100`
   */
  minDelayMillis?: number;
  /**
   * Cap on a single wait.
   * @defaultValue `10000`
   */
  maxDelayMillis?: number;
  /** Aborting rejects the pending retry at once with an {@link AbortedError}, also while `fn` is still running. */
  signal?: AbortSignal | undefined;
  /**
   * Whether a failure is worth retrying. A failure it rejects is rethrown unchanged.
   * @defaultValue retry everything except a {@link KclError} whose `retryable` is false (and aborts)
   */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /**
   * Name of the operation, used in the {@link RetryExhaustedError} message.
   * @defaultValue `'operation'`
   */
  operation?: string;
  /** Called before each wait (e.g. to log). If it throws, the retry stops with that error. */
  onRetry?: (info: RetryInfo) => void;
  /**
   * Source of randomness in [0, 1) for the jitter (tests inject a fixed one).
   * @defaultValue `Math.random`
   */
  random?: () => number;
}

const defaultShouldRetry = (error: unknown): boolean => !isKclError(error) || error.retryable;

/**
 * Calls `fn` until it succeeds, waiting with exponential back-off and full jitter between attempts.
 * `fn` receives the attempt number (from 1) and the signal, which it should pass on to the calls it makes.
 *
 * @returns what `fn` returned on its first success
 * @throws AbortedError when `signal` is aborted (before or between attempts, or while `fn` runs)
 * @throws RetryExhaustedError listing every failure when all `retries + 1` attempts failed
 * @throws the error of `fn` itself when `shouldRetry` returns false for it
 */
export async function retry<T>(fn: (attempt: number, signal: AbortSignal | undefined) => T | Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 5;
  const minDelayMillis = options.minDelayMillis ?? 100;
  const maxDelayMillis = options.maxDelayMillis ?? 10_000;
  checkNonNegativeInteger('retries', retries);
  checkNonNegativeNumber('retry: minDelayMillis', minDelayMillis);
  checkNonNegativeNumber('retry: maxDelayMillis', maxDelayMillis);
  if (maxDelayMillis < minDelayMillis) {
    throw new InvalidArgumentError(`retry: maxDelayMillis (${maxDelayMillis}) must not be less than minDelayMillis (${minDelayMillis})`);
  }
  const { signal } = options;
  const shouldRetry = options.shouldRetry ?? defaultShouldRetry;
  const random = options.random ?? Math.random;
  const operation = options.operation ?? 'operation';
  const failures: unknown[] = [];

  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal, operation);
    try {
      return await raceAbort(
        Promise.resolve().then(() => fn(attempt, signal)),
        signal,
        operation,
      );
    } catch (error) {
      if (error instanceof AbortedError || signal?.aborted) {
        throw error instanceof AbortedError ? error : abortedError(signal, operation);
      }
      if (!shouldRetry(error, attempt)) throw error;
      failures.push(error);
      if (attempt > retries) throw new RetryExhaustedError(operation, failures);
      const delayMillis = fullJitterDelay(attempt, minDelayMillis, maxDelayMillis, random);
      options.onRetry?.({ error, attempt, delayMillis });
      await abortableSleep(delayMillis, signal, operation);
    }
  }
}

/**
 * Resolves after `ms` milliseconds; rejects with an {@link AbortedError} as soon as `signal` aborts (at once if it
 * already is).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return abortableSleep(ms, signal, 'sleep');
}

function abortableSleep(ms: number, signal: AbortSignal | undefined, operation: string): Promise<void> {
  try {
    checkNonNegativeNumber('sleep: ms', ms);
  } catch (error) {
    return Promise.reject(error);
  }
  if (signal?.aborted) return Promise.reject(abortedError(signal, operation));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(signal, operation));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, operation: string): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      // fn keeps running in the background; its eventual failure is expected and must not surface as unhandled.
      promise.catch(() => undefined);
      reject(abortedError(signal, operation));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function throwIfAborted(signal: AbortSignal | undefined, operation: string): void {
  if (signal?.aborted) throw abortedError(signal, operation);
}

function abortedError(signal: AbortSignal | undefined, operation: string): AbortedError {
  const reason: unknown = signal?.reason;
  return new AbortedError(`${operation} was aborted`, reason === undefined ? {} : { cause: reason });
}

function checkNonNegativeInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(`retry: ${name} must be a non-negative integer, got ${String(value)}`);
  }
}

function checkNonNegativeNumber(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`${name} must be a finite number of milliseconds >= 0, got ${String(value)}`);
  }
}

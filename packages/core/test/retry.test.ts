import { AbortedError, InvalidArgumentError, LeaseLostError, LeaseStoreUnavailableError, RetryExhaustedError } from '../src/errors';
import { retry, sleep } from '../src/retry';
import type { RetryInfo } from '../src/retry';

const noJitter = (): number => 0; // every wait is 0 ms

describe('retry', () => {
  it('returns the first success and passes the attempt number and signal', async () => {
    const controller = new AbortController();
    const seen: [number, AbortSignal | undefined][] = [];
    const result = await retry(
      (attempt, signal) => {
        seen.push([attempt, signal]);
        if (attempt < 3) throw new Error(`fail ${attempt}`);
        return 'ok';
      },
      { random: noJitter, signal: controller.signal },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([
      [1, controller.signal],
      [2, controller.signal],
      [3, controller.signal],
    ]);
  });

  it('gives up after retries + 1 attempts with a RetryExhaustedError listing every failure', async () => {
    const errors = [new Error('a'), new Error('b'), new Error('c')];
    let calls = 0;
    const promise = retry(
      async () => {
        throw errors[calls++] as Error;
      },
      { retries: 2, random: noJitter, operation: 'GetRecords' },
    );
    await expect(promise).rejects.toBeInstanceOf(RetryExhaustedError);
    const error = (await promise.catch((e: unknown) => e)) as RetryExhaustedError;
    expect(calls).toBe(3);
    expect(error.attempts).toEqual(errors);
    expect(error.cause).toBe(errors[2]);
    expect(error.message).toBe('GetRecords failed after 3 attempt(s): #1 Error: a; #2 Error: b; #3 Error: c');
  });

  it('retries = 0 means a single attempt', async () => {
    const fn = jest.fn().mockRejectedValue(new Error('once'));
    await expect(retry(fn, { retries: 0 })).rejects.toBeInstanceOf(RetryExhaustedError);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('rethrows, unchanged, an error shouldRetry refuses', async () => {
    const fatal = new Error('validation');
    const fn = jest.fn().mockRejectedValueOnce(new Error('transient')).mockRejectedValueOnce(fatal);
    const shouldRetry = jest.fn((error: unknown) => error !== fatal);
    await expect(retry(fn, { shouldRetry, random: noJitter })).rejects.toBe(fatal);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(shouldRetry).toHaveBeenLastCalledWith(fatal, 2);
  });

  it('by default retries plain and retryable errors but not non-retryable KclErrors', async () => {
    const lost = new LeaseLostError('shardId-1');
    const fn = jest
      .fn()
      .mockRejectedValueOnce(new Error('socket hang up'))
      .mockRejectedValueOnce(new LeaseStoreUnavailableError('ECONNREFUSED'))
      .mockRejectedValueOnce(lost);
    await expect(retry(fn, { random: noJitter })).rejects.toBe(lost);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('waits with exponential back-off and full jitter, capped at maxDelayMillis', async () => {
    const delays: number[] = [];
    const randoms = [0.5, 0.999999, 0.25, 0.999999, 0.999999];
    let i = 0;
    await expect(
      retry(() => Promise.reject(new Error('x')), {
        retries: 5,
        minDelayMillis: 1,
        maxDelayMillis: 10,
        random: () => randoms[i++] ?? 0,
        onRetry: (info: RetryInfo) => delays.push(info.delayMillis),
      }),
    ).rejects.toBeInstanceOf(RetryExhaustedError);
    // ceilings: 1, 2, 4, 8, 10 (capped); wait = floor(random * ceiling)
    expect(delays).toEqual([0, 1, 1, 7, 9]);
  });

  it('actually waits the drawn delay (fake timers)', async () => {
    jest.useFakeTimers();
    try {
      const fn = jest.fn().mockRejectedValueOnce(new Error('x')).mockResolvedValueOnce('done');
      const promise = retry(fn, { minDelayMillis: 1_000, random: () => 0.5 });
      await jest.advanceTimersByTimeAsync(499);
      expect(fn).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(1);
      await expect(promise).resolves.toBe('done');
      expect(fn).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports each retry to onRetry before waiting; an onRetry that throws stops the retry', async () => {
    const infos: RetryInfo[] = [];
    const first = new Error('first');
    await retry(
      (attempt) => {
        if (attempt === 1) throw first;
        return 1;
      },
      { random: noJitter, onRetry: (info) => infos.push(info) },
    );
    expect(infos).toEqual([{ error: first, attempt: 1, delayMillis: 0 }]);
    const listenerBug = new Error('listener bug');
    await expect(
      retry(() => Promise.reject(new Error('x')), {
        random: noJitter,
        onRetry: () => {
          throw listenerBug;
        },
      }),
    ).rejects.toBe(listenerBug);
  });

  it('rejects with AbortedError without calling fn when the signal is already aborted', async () => {
    const fn = jest.fn();
    const controller = new AbortController();
    controller.abort(new Error('shutdown'));
    const error = await retry(fn, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toEqual(new Error('shutdown'));
    expect(fn).not.toHaveBeenCalled();
  });

  it('rejects promptly when aborted during a back-off wait', async () => {
    const controller = new AbortController();
    const fn = jest.fn().mockRejectedValue(new Error('x'));
    const started = Date.now();
    const promise = retry(fn, {
      signal: controller.signal,
      minDelayMillis: 60_000,
      maxDelayMillis: 60_000,
      random: () => 0.99,
      operation: 'ListShards',
    });
    setTimeout(() => controller.abort(), 20);
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as Error).message).toBe('ListShards was aborted');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('rejects promptly when aborted while fn is running, even if fn ignores the signal', async () => {
    const controller = new AbortController();
    let finish: (v: string) => void = () => undefined;
    const slow = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const promise = retry(() => slow, { signal: controller.signal });
    controller.abort();
    await expect(promise).rejects.toBeInstanceOf(AbortedError);
    finish('late');
  });

  it('turns a failure caused by the abort into AbortedError instead of retrying it', async () => {
    const controller = new AbortController();
    const fn = jest.fn(async () => {
      controller.abort();
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });
    await expect(retry(fn, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it.each([
    [{ retries: -1 }],
    [{ retries: 1.5 }],
    [{ minDelayMillis: -1 }],
    [{ maxDelayMillis: Number.NaN }],
    [{ minDelayMillis: 100, maxDelayMillis: 10 }],
  ])('rejects bad options %p with InvalidArgumentError', async (options) => {
    await expect(retry(() => 1, options)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    jest.useFakeTimers();
    try {
      let done = false;
      const promise = sleep(100).then(() => {
        done = true;
      });
      await jest.advanceTimersByTimeAsync(99);
      expect(done).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await promise;
      expect(done).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('rejects at once for an aborted signal and promptly when aborted later', async () => {
    const aborted = AbortSignal.abort();
    await expect(sleep(10_000, aborted)).rejects.toBeInstanceOf(AbortedError);
    const controller = new AbortController();
    const started = Date.now();
    const promise = sleep(60_000, controller.signal);
    setTimeout(() => controller.abort(), 10);
    await expect(promise).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('removes its abort listener when it completes', async () => {
    const controller = new AbortController();
    const remove = jest.spyOn(controller.signal, 'removeEventListener');
    await sleep(1, controller.signal);
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  it('rejects a negative or non-finite delay', async () => {
    await expect(sleep(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(sleep(Number.POSITIVE_INFINITY)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

import { InvalidArgumentError } from '../errors';

/** A test or hook body. */
export type ConformanceTestFn = () => Promise<void> | void;

/**
 * The few functions of a test framework the conformance suite needs. jest, vitest and mocha all fit (their own
 * `describe`, `it`, `beforeAll`/`before`, ...); declared here so `@kcl/core` needs no test-framework types.
 */
export interface ConformanceTestApi {
  describe(name: string, fn: () => void): unknown;
  it(name: string, fn: ConformanceTestFn, timeout?: number): unknown;
  /** Not used by the current cases; accepted so the framework's functions can be passed as a set. */
  beforeAll?(fn: ConformanceTestFn, timeout?: number): unknown;
  afterAll(fn: ConformanceTestFn, timeout?: number): unknown;
  beforeEach?(fn: ConformanceTestFn, timeout?: number): unknown;
  afterEach?(fn: ConformanceTestFn, timeout?: number): unknown;
}

type AnyFn = (...args: never[]) => unknown;

/**
 * The given test API, or the globals of the running framework (jest, vitest with `globals: true`, mocha), looked up
 * on globalThis now. mocha's `before`/`after` stand in for `beforeAll`/`afterAll`.
 */
export function resolveTestApi(given: ConformanceTestApi | undefined): ConformanceTestApi {
  if (given) return given;
  const g = globalThis as unknown as Record<string, AnyFn | undefined>;
  const describe = g['describe'];
  const it = g['it'] ?? g['test'];
  const beforeAll = g['beforeAll'] ?? g['before'];
  const afterAll = g['afterAll'] ?? g['after'];
  if (!describe || !it || !afterAll) {
    throw new InvalidArgumentError(
      'runCheckpointerConformance found no test framework globals (describe, it, afterAll/after). ' +
        "Pass them as options.test, e.g. `test: { describe, it, beforeAll, afterAll }` imported from 'vitest'.",
    );
  }
  const api: ConformanceTestApi = {
    describe: describe,
    it: it,
    afterAll: afterAll,
  };
  if (beforeAll) api.beforeAll = beforeAll;
  return api;
}

/**
 * Wraps `fn` so a framework gets the timeout either way: jest and vitest take it as the last argument, mocha through
 * `this.timeout(ms)` inside the function (mocha ignores the extra argument).
 */
export function withTimeout(fn: ConformanceTestFn, timeoutMs: number): ConformanceTestFn {
  return function (this: unknown) {
    const context = this as { timeout?: unknown } | undefined;
    if (context && typeof context.timeout === 'function') (context.timeout as (ms: number) => void).call(context, timeoutMs);
    return fn();
  };
}

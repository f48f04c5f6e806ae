import type { Checkpointer } from '../checkpoint/checkpointer';
import { settleWithin } from '../internal/timeout';
import { isPromiseLike } from '../internal/is-promise-like';

/** A checkpointer whose calls in flight are counted, so shutdown can wait for them before closing the store. */
export interface TrackedCheckpointer {
  /** Use this one everywhere: each method call that returns a promise is counted until it settles. */
  readonly checkpointer: Checkpointer;
  /** Calls started and not settled yet. */
  inFlight(): number;
  /**
   * Resolves once no call is in flight (also calls started while waiting), or after `timeoutMillis`.
   * @returns true when nothing is in flight any more, false on timeout
   */
  settled(timeoutMillis: number): Promise<boolean>;
}

/**
 * Wraps `inner` so that every call through the wrapper is tracked. Every method is forwarded (with `inner` as
 * `this`), including methods this version of the contract does not know about; non-function properties are read
 * from `inner` as they are. `close()` is not tracked (the worker calls it on `inner` after waiting).
 */
export function trackCheckpointerCalls(inner: Checkpointer): TrackedCheckpointer {
  const pending = new Set<Promise<unknown>>();
  const wrappers = new Map<PropertyKey, (...args: unknown[]) => unknown>();

  const track = (result: unknown): unknown => {
    if (!isPromiseLike(result)) return result;
    const settledCall = Promise.resolve(result).then(
      () => undefined,
      () => undefined,
    );
    pending.add(settledCall);
    void settledCall.then(() => pending.delete(settledCall));
    return result;
  };

  const checkpointer = new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || property === 'close') return value;
      let wrapper = wrappers.get(property);
      if (!wrapper) {
        const method = value as (...args: unknown[]) => unknown;
        wrapper = (...args: unknown[]) => track(method.apply(target, args));
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });

  const settled = async (timeoutMillis: number): Promise<boolean> => {
    const deadline = Date.now() + Math.max(0, timeoutMillis);
    while (pending.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await settleWithin(Promise.all(pending), left);
    }
    return true;
  };

  return { checkpointer, inFlight: () => pending.size, settled };
}

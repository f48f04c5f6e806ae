import type { Checkpointer } from '../checkpoint/checkpointer';
import type { ShardStatus } from '../checkpoint/shard-status';
import type { Logger } from '../logger/logger';
import { systemMonotonicClock, type MonotonicClock } from '../leases/monotonic-clock';
import { errorCode } from '../metrics/error-code';
import type { MonitoringService } from '../metrics/monitoring-service';
import { isLeaseStoreFailure } from './lease-store-failure';
import { LeaseStoreHealthTracker } from './lease-store-health';
import { isPromiseLike } from '../internal/is-promise-like';

export interface InstrumentCheckpointerOptions {
  monitoring: MonitoringService;
  /** Where a throwing MonitoringService method is reported (it never reaches the caller). */
  logger: Logger;
  /** @defaultValue the process's monotonic clock */
  clock?: MonotonicClock;
  /**
   * Where each call's outcome goes (the worker's, read by `worker.status()`); `leaseStoreHealth` reports its changes.
   * @defaultValue a tracker of its own
   */
  health?: LeaseStoreHealthTracker;
}

/**
 * Wraps `inner` so that every lease-store call reports its duration (`recordLeaseStoreCallTime`), store failures
 * (`incrLeaseStoreErrors`, classified by {@link isLeaseStoreFailure}) and health changes (`leaseStoreHealth`: false after a
 * store failure, true after the next success); `checkpointSequence` also reports `recordCheckpointTime` and
 * `incrCheckpointFailures` for its shard. Results and errors pass through unchanged; methods that return no promise,
 * non-function properties and `close()` are forwarded untouched.
 */
export function instrumentCheckpointer(inner: Checkpointer, options: InstrumentCheckpointerOptions): Checkpointer {
  const { monitoring, logger } = options;
  const clock = options.clock ?? systemMonotonicClock;
  const health = options.health ?? new LeaseStoreHealthTracker();
  let reportedHealth: boolean | undefined;
  const wrappers = new Map<PropertyKey, (...args: unknown[]) => unknown>();

  const report = (what: string, call: () => void): void => {
    try {
      call();
    } catch (error) {
      logger.warn('MonitoringService call failed', { method: what, error });
    }
  };
  /** One classification per call (the tracker's); the MonitoringService hears the changes. */
  const noteHealth = (operation: string, failed: boolean, error: unknown): void => {
    health.settled(operation, failed, error);
    const healthy = health.isHealthy;
    if (reportedHealth === healthy) return;
    reportedHealth = healthy;
    report('leaseStoreHealth', () => monitoring.leaseStoreHealth?.(healthy));
  };

  const settle = (operation: string, args: unknown[], started: number, error: unknown, failed: boolean): void => {
    const millis = Math.max(0, clock() - started);
    report('recordLeaseStoreCallTime', () => monitoring.recordLeaseStoreCallTime?.(operation, millis));
    const shard = operation === 'checkpointSequence' ? shardIdOf(args[0]) : undefined;
    if (shard !== undefined) report('recordCheckpointTime', () => monitoring.recordCheckpointTime?.(shard, millis));
    noteHealth(operation, failed, error);
    if (!failed) return;
    const code = errorCode(error);
    if (shard !== undefined) report('incrCheckpointFailures', () => monitoring.incrCheckpointFailures?.(shard, code));
    if (isLeaseStoreFailure(error)) report('incrLeaseStoreErrors', () => monitoring.incrLeaseStoreErrors?.(operation, code));
  };

  return new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || property === 'close' || typeof property !== 'string') return value;
      let wrapper = wrappers.get(property);
      if (!wrapper) {
        const method = value as (...args: unknown[]) => unknown;
        wrapper = (...args: unknown[]) => {
          const started = clock();
          const result = method.apply(target, args);
          if (!isPromiseLike(result)) return result;
          return Promise.resolve(result).then(
            (resolved) => {
              settle(property, args, started, undefined, false);
              return resolved;
            },
            (error: unknown) => {
              settle(property, args, started, error, true);
              throw error;
            },
          );
        };
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });
}

function shardIdOf(value: unknown): string | undefined {
  const id = typeof value === 'object' && value !== null ? (value as Partial<ShardStatus>).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

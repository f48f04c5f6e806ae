/**
 * What each shard consumer of this worker is doing, for `worker.status()` and the periodic status line: records per
 * second over a recent window, the time of the last batch, the last MillisBehindLatest, whether a processor call is
 * stuck (reported by the processor watchdog after `logWarningForTaskAfterMillis` and not returned yet) and whether
 * the processor is failing (consecutive failed calls, i.e. in back-off).
 *
 * Fed from what the consumers already report: the MonitoringService calls (wrapped by {@link trackActivityMetrics})
 * and the consumer events `processorStuck` / `processorReturned`. Reads nothing itself.
 * @internal
 */
import type { MonitoringService } from '../metrics/monitoring-service';
import type { MonotonicClock } from '../leases/monotonic-clock';
import type { ProcessorOperation } from './processor-watchdog';

/** Window over which {@link ShardActivitySnapshot.recordsPerSecond} is averaged. */
export const ACTIVITY_RATE_WINDOW_MILLIS = 10_000;

/** What one shard's consumer has been doing, as seen by {@link ShardActivity}. */
export interface ShardActivitySnapshot {
  /** Records processed per second, averaged over the last {@link ACTIVITY_RATE_WINDOW_MILLIS} (or since the lease was taken). */
  recordsPerSecond: number;
  /** Wall-clock time at which the last `processRecords` call returned successfully; undefined before the first. */
  lastBatchAt: Date | undefined;
  /** The last MillisBehindLatest Kinesis reported for the shard; undefined before the first read. */
  millisBehindLatest: number | undefined;
  /** A processor call has been running longer than `logWarningForTaskAfterMillis` and has not returned yet. */
  stuck: boolean;
  /** Which call is stuck, when {@link stuck}. */
  stuckOperation: ProcessorOperation | undefined;
  /** The processor's last call failed and is being retried after a back-off. */
  failing: boolean;
  /** Consecutive failed processor calls (0 when not failing). */
  failedAttempts: number;
}

interface ShardState {
  since: number;
  /** Monotonic time and record count of each batch in the rate window, oldest first. */
  batches: Array<{ at: number; records: number }>;
  lastBatchAt: Date | undefined;
  millisBehindLatest: number | undefined;
  stuckOperation: ProcessorOperation | undefined;
  failedAttempts: number;
}

/** Per-shard activity of one worker's consumers. */
export class ShardActivity {
  private readonly shards = new Map<string, ShardState>();

  /**
   * @param clock monotonic clock for the rate window
   * @param now wall clock for {@link ShardActivitySnapshot.lastBatchAt}
   */
  constructor(
    private readonly clock: MonotonicClock,
    private readonly now: () => number = Date.now,
  ) {}

  /** A consumer starts for `shardId` (a lease was taken): its activity starts from nothing. */
  begin(shardId: string): void {
    this.shards.set(shardId, {
      since: this.clock(),
      batches: [],
      lastBatchAt: undefined,
      millisBehindLatest: undefined,
      stuckOperation: undefined,
      failedAttempts: 0,
    });
  }

  /** The consumer of `shardId` ended. */
  end(shardId: string): void {
    this.shards.delete(shardId);
  }

  /** A `processRecords` call returned successfully with `records` records. */
  batchProcessed(shardId: string, records: number): void {
    const state = this.shards.get(shardId);
    if (!state) return;
    const at = this.clock();
    state.batches.push({ at, records });
    this.prune(state, at);
    state.lastBatchAt = new Date(this.now());
  }

  millisBehindLatest(shardId: string, millis: number): void {
    const state = this.shards.get(shardId);
    if (state) state.millisBehindLatest = millis;
  }

  /** The watchdog reported a processor call as stuck. */
  processorStuck(shardId: string, operation: ProcessorOperation): void {
    const state = this.shards.get(shardId);
    if (state) state.stuckOperation = operation;
  }

  /** A processor call reported as stuck has returned. */
  processorReturned(shardId: string): void {
    const state = this.shards.get(shardId);
    if (state) state.stuckOperation = undefined;
  }

  /** Consecutive failed calls (0: the processor succeeded again or the batch was skipped). */
  processorFailing(shardId: string, attempts: number): void {
    const state = this.shards.get(shardId);
    if (state) state.failedAttempts = attempts;
  }

  /** The activity of `shardId`, or undefined when no consumer runs for it. */
  snapshot(shardId: string): ShardActivitySnapshot | undefined {
    const state = this.shards.get(shardId);
    if (!state) return undefined;
    const at = this.clock();
    this.prune(state, at);
    const records = state.batches.reduce((sum, b) => sum + b.records, 0);
    const spanMillis = Math.min(ACTIVITY_RATE_WINDOW_MILLIS, Math.max(1_000, at - state.since));
    return {
      recordsPerSecond: Math.round((records * 1000 * 100) / spanMillis) / 100,
      lastBatchAt: state.lastBatchAt,
      millisBehindLatest: state.millisBehindLatest,
      stuck: state.stuckOperation !== undefined,
      stuckOperation: state.stuckOperation,
      failing: state.failedAttempts > 0,
      failedAttempts: state.failedAttempts,
    };
  }

  private prune(state: ShardState, at: number): void {
    const oldest = at - ACTIVITY_RATE_WINDOW_MILLIS;
    while (state.batches.length > 0 && state.batches[0]!.at <= oldest) state.batches.shift();
  }
}

/**
 * A MonitoringService that forwards every call to `inner` and also feeds `activity` (records processed, lag, failing
 * processor). Given to the shard consumers in place of the worker's MonitoringService.
 */
export function trackActivityMetrics(inner: MonitoringService, activity: ShardActivity): MonitoringService {
  // One wrapper per method, made at its first use (and again if the method is replaced): the consumers call metrics
  // on every poll, and a wrapper made per property read was a few closures per call.
  const wrappers = new Map<PropertyKey, { method: unknown; wrapper: Method }>();
  return new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' && property !== 'processorFailing') return value;
      const cached = wrappers.get(property);
      if (cached !== undefined && cached.method === value) return cached.wrapper;
      const wrapper = activityWrapper(target, property, value as Method | undefined, activity);
      wrappers.set(property, { method: value, wrapper });
      return wrapper;
    },
  });
}

type Method = (...args: unknown[]) => unknown;

/** Calls `method` of `target` (when it has one) after feeding `activity` for the three methods it watches. */
function activityWrapper(target: MonitoringService, property: PropertyKey, method: Method | undefined, activity: ShardActivity): Method {
  switch (property) {
    case 'incrRecordsProcessed':
      return (shard, count) => {
        activity.batchProcessed(shard as string, count as number);
        return method?.call(target, shard, count);
      };
    case 'millisBehindLatest':
      return (shard, millis) => {
        activity.millisBehindLatest(shard as string, millis as number);
        return method?.call(target, shard, millis);
      };
    case 'processorFailing':
      return (shard, attempts) => {
        activity.processorFailing(shard as string, attempts as number);
        return method?.call(target, shard, attempts);
      };
    default:
      return (...args) => method?.apply(target, args);
  }
}

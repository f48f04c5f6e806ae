/**
 * The periodic status line (`statusLogIntervalMillis`, info level): leases held, records per second, the largest
 * MillisBehindLatest and the stuck / failing shards, from {@link WorkerStatus} (no extra reads).
 * @internal
 */
import { PeriodicTask } from '../internal/periodic-task';
import type { Logger } from '../logger/logger';
import type { WorkerStatus } from './worker-status';

/** Figures of one status line (also its structured log fields). */
export interface StatusLineFields {
  leasesHeld: number;
  recordsPerSecond: number;
  /** Largest MillisBehindLatest of the held leases; undefined when none was reported yet. */
  maxMillisBehindLatest: number | undefined;
  stuckShards: string[];
  failingShards: string[];
  leaseStoreHealthy: boolean;
}

/** Sums up a status for the line. */
export function statusLineFields(status: WorkerStatus): StatusLineFields {
  const lags = status.leases.map((l) => l.millisBehindLatest).filter((m): m is number => m !== undefined);
  const rate = status.leases.reduce((sum, l) => sum + l.recordsPerSecond, 0);
  return {
    leasesHeld: status.leases.length,
    recordsPerSecond: Math.round(rate * 100) / 100,
    maxMillisBehindLatest: lags.length > 0 ? Math.max(...lags) : undefined,
    stuckShards: status.leases.filter((l) => l.stuck).map((l) => l.shardId),
    failingShards: status.leases.filter((l) => l.failing).map((l) => l.shardId),
    leaseStoreHealthy: status.leaseStore.healthy,
  };
}

/** The message of the line, e.g. `worker status: 3 leases held, 120.5 records/s, max lag 800 ms, stuck shards: none`. */
export function statusLineMessage(fields: StatusLineFields): string {
  const lag = fields.maxMillisBehindLatest === undefined ? 'max lag unknown' : `max lag ${fields.maxMillisBehindLatest} ms`;
  const stuck = fields.stuckShards.length > 0 ? fields.stuckShards.join(', ') : 'none';
  const failing = fields.failingShards.length > 0 ? `, failing shards: ${fields.failingShards.join(', ')}` : '';
  const store = fields.leaseStoreHealthy ? '' : ', lease store unhealthy';
  return `worker status: ${fields.leasesHeld} leases held, ${fields.recordsPerSecond} records/s, ${lag}, stuck shards: ${stuck}${failing}${store}`;
}

/**
 * A task that logs the status line every `intervalMillis` (not started when 0). Stopped with the worker.
 */
export function createStatusLogTask(status: () => WorkerStatus, logger: Logger, intervalMillis: number): PeriodicTask | undefined {
  if (!(intervalMillis > 0)) return undefined;
  return new PeriodicTask({
    run: () => {
      const fields = statusLineFields(status());
      logger.info(statusLineMessage(fields), { ...fields });
      return Promise.resolve();
    },
    intervalMillis: () => intervalMillis,
    onError: (error) => logger.warn('status line failed', { error }),
  });
}

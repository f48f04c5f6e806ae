/** Short-timed worker configs for the integration tests. */
import { createWinstonLogger, InitialPositionInStream, KinesisClientLibConfig, type KclLogLevel, type Logger } from '@kcl/core';

/** Lease timings of every test unless it says otherwise: short, so that tests waiting for a failover stay quick. */
export const TIMINGS = Object.freeze({
  failoverMillis: 1_500,
  refreshMillis: 300,
  idleMillis: 50,
  shardSyncMillis: 500,
});

/**
 * Lease timings for tests that assert no lease ever expires (every move a hand-off, no lease lost to faults): a
 * lease stays valid 2.4 s after its last renewal started, which rides out the event-loop stalls of a heavily loaded
 * 2-core machine (with 1.5 s, a loaded machine occasionally let leases expire: safe, but not what those tests check).
 */
export const STEADY_TIMINGS = Object.freeze({ failoverMillis: 3_000, refreshMillis: 500 });

/** Application name of every test worker (the table name comes from the test's namespace). */
export const APPLICATION = 'kcl-it';

export interface TestConfigOptions {
  streamName: string;
  workerId: string;
  /** @defaultValue TIMINGS.failoverMillis */
  failoverMillis?: number;
  /** @defaultValue TIMINGS.refreshMillis */
  refreshMillis?: number;
  /** @defaultValue TIMINGS.idleMillis */
  idleMillis?: number;
  /** @defaultValue TIMINGS.shardSyncMillis */
  shardSyncMillis?: number;
  /**
   * Balancing by the leader (`withLeaseStealing`): leases of over-loaded workers are handed over to under-loaded ones,
   * in rounds at least `stealingIntervalMillis` apart. Off unless asked for (the core's default is on), so that tests
   * of other things see no lease move they did not cause. @defaultValue false
   */
  stealing?: boolean;
  /** Least time between two balancing rounds. @defaultValue 300 */
  stealingIntervalMillis?: number;
  /** @defaultValue 10000 */
  maxRecords?: number;
  /** @defaultValue 50 */
  taskBackoffMillis?: number;
  /** @defaultValue 5000 */
  shutdownGraceMillis?: number;
  /** @defaultValue {@link testLogger}() */
  logger?: Logger;
}

/**
 * The log level of test workers: `KCL_TEST_LOG` (e.g. `debug`) if set, else silent. Logs go to stderr.
 */
export function testLogger(tags: Record<string, unknown> = {}): Logger {
  const level = (process.env['KCL_TEST_LOG'] as KclLogLevel | undefined) ?? 'silent';
  const logger = createWinstonLogger({ level, format: 'simple' });
  return Object.keys(tags).length > 0 ? logger.child(tags) : logger;
}

/** A config at TRIM_HORIZON with the short {@link TIMINGS}. The caller's checkpointer factory sets the table name. */
export function testConfig(options: TestConfigOptions): KinesisClientLibConfig {
  const config = new KinesisClientLibConfig(APPLICATION, options.streamName, 'us-east-1', options.workerId)
    .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
    .withFailoverTimeMillis(options.failoverMillis ?? TIMINGS.failoverMillis)
    .withLeaseRefreshPeriodMillis(options.refreshMillis ?? TIMINGS.refreshMillis)
    .withIdleTimeBetweenReadsInMillis(options.idleMillis ?? TIMINGS.idleMillis)
    .withShardSyncIntervalMillis(options.shardSyncMillis ?? TIMINGS.shardSyncMillis)
    .withMaxRecords(options.maxRecords ?? 10_000)
    .withTaskBackoffTimeMillis(options.taskBackoffMillis ?? 50)
    .withShutdownGraceMillis(options.shutdownGraceMillis ?? 5_000)
    .withLogger(options.logger ?? testLogger({ workerId: options.workerId }));
  config.withLeaseStealing(options.stealing === true);
  if (options.stealing) config.withLeaseStealingIntervalMillis(options.stealingIntervalMillis ?? 300);
  return config;
}

/** Runs one polling shard consumer against kinesalite with an in-memory lease store and recording fakes. */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { InitialPositionInStream } from '../../src/config/initial-position';
import { KinesisClientLibConfig } from '../../src/config/kcl-config';
import { createPollingShardConsumer } from '../../src/consumers/polling-shard-consumer';
import type { PollingShardConsumerOptions } from '../../src/consumers/polling-shard-consumer';
import type { ShardConsumer, ShardConsumerDeps, ShardConsumerResult } from '../../src/consumers/shard-consumer';
import type { LeanGetRecords } from '../../src/kinesis/lean-get-records';
import { takeTestLease } from './consumer-lease';
import type { LeaseFixture } from './consumer-lease';
import { RecordingEvents, RecordingLogger, RecordingMonitoring, RecordingProcessor } from './consumer-recorders';

export { waitFor } from '@kcl/testbed';

/** Short timings for tests: idle wait 50 ms, task back-off 50 ms, TRIM_HORIZON. */
export function testConfig(streamName: string): KinesisClientLibConfig {
  const logger = new RecordingLogger();
  return new KinesisClientLibConfig('consumer-test', streamName, 'us-east-1', 'worker-1')
    .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
    .withIdleTimeBetweenReadsInMillis(50)
    .withTaskBackoffTimeMillis(50)
    .withMaxRetryCount(3)
    .withLogger(logger);
}

export interface RunConsumerOptions {
  kinesis: KinesisClient;
  streamName: string;
  shardId?: string;
  processor?: RecordingProcessor;
  config?: KinesisClientLibConfig;
  /** An existing lease (e.g. with a checkpoint); default: a fresh lease of `shardId`. */
  lease?: LeaseFixture;
  consumerOptions?: PollingShardConsumerOptions;
  /** The lean GetRecords path the consumer gets (as the worker gives it for a client it built). */
  leanGetRecords?: LeanGetRecords;
}

export interface ConsumerRun extends LeaseFixture {
  consumer: ShardConsumer;
  result: Promise<ShardConsumerResult>;
  shutdown: AbortController;
  processor: RecordingProcessor;
  events: RecordingEvents;
  monitoring: RecordingMonitoring;
  logger: RecordingLogger;
  config: KinesisClientLibConfig;
  /** Reasons the consumer gave its lease up with (`giveUpLease`); the test lease is lost at once. */
  givenUp: string[];
}

/** Runs not stopped yet; {@link stopAllRuns} (afterEach) ends them so a failed test never leaves a consumer running. */
const activeRuns = new Set<ConsumerRun>();

export async function stopAllRuns(): Promise<void> {
  const runs = [...activeRuns];
  activeRuns.clear();
  for (const run of runs) {
    run.shutdown.abort();
    run.lease.lose();
  }
  await Promise.all(runs.map((run) => run.result));
}

/**
 * Runs the consumer `create` makes on a lease (default: a fresh lease of `shardId`) with recording fakes, and tracks
 * it for {@link stopAllRuns}. Shared by the polling and the fan-out harness.
 */
export async function startConsumerRun(
  options: Omit<RunConsumerOptions, 'streamName' | 'consumerOptions'> & { streamName?: string },
  create: (deps: ShardConsumerDeps) => ShardConsumer,
): Promise<ConsumerRun> {
  const config = options.config ?? testConfig(options.streamName ?? 'fake-stream');
  const fixture = options.lease ?? (await takeTestLease(options.shardId ?? 'shardId-000000000000'));
  const processor = options.processor ?? new RecordingProcessor();
  const events = new RecordingEvents();
  const monitoring = new RecordingMonitoring();
  const logger = new RecordingLogger();
  const shutdown = new AbortController();
  const givenUp: string[] = [];
  const consumer = create({
    config,
    kinesis: options.kinesis,
    leanGetRecords: options.leanGetRecords,
    checkpointer: fixture.store,
    processor,
    lease: fixture.lease,
    monitoring,
    logger: logger.child({ shardId: fixture.lease.shardId, workerId: config.workerId }),
    events,
    shutdownSignal: shutdown.signal,
    giveUpLease: (reason) => {
      givenUp.push(reason);
      fixture.lease.lose();
    },
  });
  const result = consumer.run();
  const run: ConsumerRun = { ...fixture, consumer, result, shutdown, processor, events, monitoring, logger, config, givenUp };
  activeRuns.add(run);
  void result.finally(() => activeRuns.delete(run));
  return run;
}

export async function runConsumer(options: RunConsumerOptions): Promise<ConsumerRun> {
  return startConsumerRun(options, (deps) => createPollingShardConsumer(deps, { backoffBaseMs: 20, backoffMaxMs: 200, ...options.consumerOptions }));
}

/** Stops a run gracefully and returns its result. */
export async function stopRun(run: ConsumerRun): Promise<ShardConsumerResult> {
  run.shutdown.abort();
  return run.result;
}

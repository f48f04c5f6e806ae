import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { ShardConsumerFactory } from '../consumers/shard-consumer';
import type { MonotonicClock } from '../leases/monotonic-clock';
import type { CheckpointerLoader } from './backend-loader';

/** Where a {@link Worker} is in its life. */
export type WorkerState = 'new' | 'starting' | 'running' | 'shuttingDown' | 'stopped';

/**
 * Advanced hooks, mainly for tests and custom consumers. Not needed by applications.
 */
export interface WorkerOptions {
  /**
   * Builds the per-shard consumer.
   * @defaultValue the polling consumer (GetRecords)
   */
  shardConsumerFactory?: ShardConsumerFactory | undefined;
  /**
   * Builds the checkpointer when none was given with `withCheckpointer`.
   * @defaultValue loads `@kcl/checkpoint-dynamodb` lazily and returns `new DynamoCheckpoint(config)`
   */
  loadCheckpointer?: CheckpointerLoader | undefined;
  /**
   * Monotonic clock (ms) used for lease validity and expiry.
   * @defaultValue `performance.now()`
   */
  clock?: MonotonicClock | undefined;
  /**
   * Called once with the Kinesis client the worker builds itself (`createKinesisClient`, when none was injected with
   * `withKinesis`), before its first call: e.g. to add SDK middleware that counts calls. Such middleware sees every
   * Kinesis call of the worker except the GetRecords of polling consumers while `leanGetRecords` is on (they bypass
   * the middleware chain; `MonitoringService.recordGetRecordsTime` sees each of those that succeeded). Not called
   * for an injected client.
   * @defaultValue none
   */
  onKinesisClient?: ((client: KinesisClient) => void) | undefined;
  /**
   * Whether the polling consumers send GetRecords through the lean path when the worker built the Kinesis client
   * itself: the client's own endpoint, credentials, SigV4 signer (with clock-skew correction), HTTP handler and retry
   * strategy, and the SDK's exception classes, but not its middleware chain, which is most of the CPU of an empty
   * poll (`pnpm --filter @kcl/bench get-records-cost`). An injected client (`withKinesis`) always goes through
   * `client.send`. `false` sends every GetRecords through the SDK.
   * @defaultValue `true`
   */
  leanGetRecords?: boolean | undefined;
}

/** Options of {@link Worker.withCheckpointer}. */
export interface WithCheckpointerOptions {
  /**
   * Whether the worker closes this checkpointer when it stops: at the end of `shutdown()` (after the lease-store
   * calls in flight have settled) and after a `start()` that failed after `checkpointer.init()` succeeded. Set it
   * to `false` for a checkpointer shared between workers (or used after the worker stopped), and close it yourself
   * after the last of them has shut down. Either way the worker never closes a client injected INTO the checkpointer
   * (e.g. `new RedisCheckpoint(config, { client })`): the backend leaves that to its owner.
   * @defaultValue `true`
   */
  closeOnShutdown?: boolean | undefined;
}

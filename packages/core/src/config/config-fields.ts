import type { Logger } from '../logger/logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import type { KclCredentialsSource } from './credentials';
import type { InitialPositionInStream } from './initial-position';
import type { ProcessorFailurePolicy } from './processor-failure-policy';

/**
 * Every option of a {@link KinesisClientLibConfig}, as its fields: go-kcl's `KinesisClientLibConfiguration` with
 * camelCase names. The defaults, checks, setters and the README table come from one table (`option-table.ts`); this
 * interface carries the types and what IDEs show.
 */
export interface KclConfigFields {
  /** Name of the consuming application; default for {@link tableName} and {@link enhancedFanOutConsumerName}. */
  applicationName: string;
  /**
   * Name of the lease table (DynamoDB table; key component for the Redis backend).
   * @defaultValue the application name
   */
  tableName: string;
  /** Name of the Kinesis data stream to consume. */
  streamName: string;
  /** AWS region of the stream and of the lease table, e.g. `us-east-1`. */
  regionName: string;
  /**
   * Identifies this worker in the lease table (lease owner). Must be unique among the application's live workers.
   * @defaultValue a random UUID
   */
  workerId: string;
  /**
   * Kinesis endpoint URL overriding the SDK's. For `http://` endpoints the Kinesis client uses HTTP/1.1.
   * @defaultValue `undefined` (the SDK's endpoint for {@link regionName})
   */
  kinesisEndpoint: string | undefined;
  /**
   * DynamoDB endpoint URL overriding the SDK's (used by `@kcl/checkpoint-dynamodb`).
   * @defaultValue `undefined` (the SDK's endpoint for {@link regionName})
   */
  dynamoDBEndpoint: string | undefined;
  /**
   * Credentials for Kinesis.
   * @defaultValue `undefined` (the SDK's default provider chain: environment, shared files, SSO, instance role...)
   */
  kinesisCredentials: KclCredentialsSource | undefined;
  /**
   * Credentials for DynamoDB.
   * @defaultValue `undefined` (the SDK's default provider chain)
   */
  dynamoDBCredentials: KclCredentialsSource | undefined;
  /**
   * Where a shard without a checkpoint starts: LATEST, TRIM_HORIZON or AT_TIMESTAMP.
   * @defaultValue `InitialPositionInStream.LATEST`
   */
  initialPositionInStream: InitialPositionInStream;
  /**
   * Start time for `AT_TIMESTAMP` (the first record at or after it; the trim horizon if older).
   * @defaultValue `undefined`
   */
  timestampAtInitialPositionInStream: Date | undefined;
  /**
   * Lease duration: a lease whose owner has not renewed it for this long (measured on the observer's own monotonic
   * clock) is considered expired and may be taken by another worker. A worker stops processing a shard whose lease it
   * has not renewed within this time. Higher values mean fewer lease-store writes but slower failover.
   * @defaultValue `10000`
   */
  failoverTimeMillis: number;
  /**
   * How often the owner renews each lease it holds. Must be less than {@link failoverTimeMillis} (half of it or less
   * leaves room for one failed renewal).
   * @defaultValue `5000`
   */
  leaseRefreshPeriodMillis: number;
  /**
   * Maximum records per GetRecords call (`Limit`, 1 to 10000, the Kinesis limit); a batch of this many records also
   * counts as "not caught up" for {@link idleTimeBetweenReadsInMillis}. Polling only: not used under enhanced fan-out,
   * where Kinesis pushes the records.
   * @defaultValue `10000`
   */
  maxRecords: number;
  /**
   * Most GetRecords and GetShardIterator calls the polling consumers of one worker keep in flight together; the
   * others wait for a slot, first come first served. Not in go-kcl.
   * @defaultValue `64`
   */
  maxConcurrentGetRecords: number;
  /**
   * Maximum number of leases (shards) this worker holds at once. Setting it too low for the fleet can leave shards
   * unprocessed.
   * @defaultValue `32767` (go-kcl: math.MaxInt16)
   */
  maxLeasesForWorker: number;
  /**
   * Interval between shard syncs (jittered to 50-150 %). Each sync lists the stream's shards with ListShards, so new
   * shards (after resharding) are leased, and then removes the lease of a shard that is gone from the listing
   * (trimmed), checkpointed at SHARD_END, and whose known children all have leases. A lease that is not at SHARD_END
   * is never removed, and a failed or empty ListShards answer removes nothing.
   * @defaultValue `60000`
   */
  shardSyncIntervalMillis: number;
  /**
   * How long a polling consumer waits before the next GetRecords call when it is caught up: the call returned no
   * records, or fewer than {@link maxRecords} with MillisBehindLatest 0 (or absent). After a full batch, or one behind
   * the tip, the next call follows at once (at most 5 GetRecords per second per shard). Each wait is stretched by a
   * random 0 to 20 % (never shortened), so the polls of many shards spread out instead of arriving in one burst. Not
   * used under enhanced fan-out.
   * @defaultValue `1000`
   */
  idleTimeBetweenReadsInMillis: number;
  /**
   * Call `processRecords` also with an empty record list (e.g. to observe `millisBehindLatest` or checkpoint on idle).
   * @defaultValue `false`
   */
  callProcessRecordsEvenForEmptyRecordList: boolean;
  /**
   * Wait before calling the record processor's `initialize` or `processRecords` again after it threw (the same batch
   * is delivered again); doubled after each further failure, up to {@link maxTaskBackoffTimeMillis}. Also bounds the waits between the (up to 4) attempts of the first ListShards in
   * `worker.start()`: a full-jitter back-off with base `min(200, this)` ms, capped at `max(200, this)` ms. Not used
   * for other failures: failed Kinesis calls of a shard consumer are retried after a full-jitter back-off (200 ms
   * doubling up to 10 s), checkpoint writes after one of 100 ms up to 2 s ({@link maxRetryCount}), and a failed
   * lease renewal after a quarter of the renewal interval.
   * @defaultValue `500`
   */
  taskBackoffTimeMillis: number;
  /**
   * Retries of a failed call:
   * - each call of the Kinesis client the worker builds (`createKinesisClient`, not an injected one) makes up to
   *   `maxRetryCount + 1` attempts (SDK standard retry mode, throttling and 5xx included);
   * - a checkpoint write that failed with `LeaseStoreUnavailableError` is retried this many times (full-jitter
   *   back-off, 100 ms up to 2 s) before the call rejects with `RetryExhaustedError`.
   *
   * 0 disables both. It does not set the DynamoDB client's attempts (`@kcl/checkpoint-dynamodb` has its own
   * `maxAttempts` option).
   * @defaultValue `5`
   */
  maxRetryCount: number;
  /**
   * Logger used by the worker and the backends.
   * @defaultValue a winston logger writing JSON to stderr at level `info` (`KCL_LOG_LEVEL` overrides the level)
   */
  logger: Logger;
  /**
   * Metrics sink, e.g. `PrometheusMonitoringService` from `@kcl/metrics-prometheus`.
   * @defaultValue a {@link NoopMonitoringService}
   */
  monitoringService: MonitoringService;
  /**
   * Consume with enhanced fan-out (SubscribeToShard) instead of polling (GetRecords).
   * @defaultValue `false`
   */
  enableEnhancedFanOutConsumer: boolean;
  /**
   * Name of the enhanced fan-out consumer to register (or reuse) when no ARN is given.
   * @defaultValue the application name
   */
  enhancedFanOutConsumerName: string;
  /**
   * ARN of an already registered consumer; when set, no consumer is registered.
   * @defaultValue `undefined`
   */
  enhancedFanOutConsumerARN: string | undefined;
  /**
   * Balancing: the leader asks workers above their share to hand leases over (after their in-flight batch and a
   * REQUESTED shutdown, with `transferLease`) to workers below it, so a joining worker gets its share within a few
   * refresh periods. With `false` no lease is ever handed over; new, unowned and expired leases are still assigned.
   * @defaultValue `true`
   */
  enableLeaseStealing: boolean;
  /**
   * Least time between two balancing rounds of the leader (with {@link enableLeaseStealing}); one round asks for many
   * hand-offs in parallel (each worker's whole excess). Leases moved in one round are not moved again for
   * {@link failoverTimeMillis}.
   * @defaultValue `5000`
   */
  leaseStealingIntervalMillis: number;
  /**
   * No effect since fleet coordination (kept so configs that set it keep working; go-kcl's lease syncing interval):
   * the leader reads the lease table every {@link leaseRefreshPeriodMillis} and decides balancing on that read; no
   * other worker reads the whole table after start.
   * @defaultValue `60000`
   */
  leaseSyncingTimeIntervalMillis: number;
  /**
   * Upper bound on `worker.shutdown()`: processors get this long to finish the in-flight batch and their `shutdown`
   * (REQUESTED) call; leases not released by then are left to expire.
   * @defaultValue `30000`
   */
  shutdownGraceMillis: number;
  /**
   * A record processor call (`initialize`, `processRecords`, `shutdown`) that has not returned after this long is
   * reported as stuck: a warning in the log, the worker's `processorStuck` event and the MonitoringService's optional
   * `processorStuck` metric - again each time this much more has passed. The call is not interrupted (JavaScript cannot
   * cancel it): the shard makes no progress while it runs, the lease stays held, and `shutdown()` gives the lease up
   * after `shutdownGraceMillis`. (The Java KCL's `logWarningForTaskAfterMillis`.)
   * @defaultValue `60000`
   */
  logWarningForTaskAfterMillis: number;
  /**
   * Cap of the wait between the calls of a record processor's `initialize`, or of its `processRecords` with the same
   * batch, while they throw: {@link taskBackoffTimeMillis}, then doubling per failure up to this (never less than
   * `taskBackoffTimeMillis`: set both equal for a fixed wait, as go-kcl).
   * @defaultValue `30000`
   */
  maxTaskBackoffTimeMillis: number;
  /**
   * What happens to a batch whose `processRecords` keeps throwing: `{ action: 'retry' }` delivers it again forever;
   * `{ action: 'skip', maxAttempts }` passes it over after that many failed calls (`batchSkipped` event with the
   * records and their sequence range; a later `checkpoint()` covers it); `{ action: 'releaseLease', maxAttempts }`
   * shuts the processor down (REQUESTED) and releases the lease (`leaseLost` reason `failing`). `initialize` is
   * always retried.
   * @defaultValue `{ action: 'retry' }`
   */
  processorFailurePolicy: Readonly<ProcessorFailurePolicy>;
  /**
   * A record processor call running longer than this gives its lease up (0 = never): renewal stops, `leaseLost`
   * (reason `stuck`) fires, the call's checkpoints throw `LeaseLostError`, another worker takes the shard after
   * {@link failoverTimeMillis}, and the processor gets `shutdown(ZOMBIE)` once the call returns.
   * @defaultValue `0` (off)
   */
  maxProcessingTimeMillis: number;
  /**
   * Log a warning (once per lease) when `processRecords` returned this many non-empty batches in a row without a
   * checkpoint written on the shard (0 = never).
   * @defaultValue `100`
   */
  warnAfterBatchesWithoutCheckpoint: number;
  /**
   * Interval of the worker's status line, logged at info level: leases held, records per second, the largest
   * MillisBehindLatest, stuck and failing shards (the figures of `worker.status()`). 0 turns it off.
   * @defaultValue `60000`
   */
  statusLogIntervalMillis: number;
}

/** Fields that identify the application, the stream and the worker (constructor arguments). */
export type KclIdentityField = 'applicationName' | 'streamName' | 'regionName' | 'workerId';

/** Every option with a setter. */
export type KclOptionName = Exclude<keyof KclConfigFields, KclIdentityField>;

/**
 * A whole configuration as one object, for `new KinesisClientLibConfig(options)`: the three names, optionally the
 * worker id, and any option (each applied as its `with*` setter would, in the table's order). `credentials` sets
 * both `kinesisCredentials` and `dynamoDBCredentials`, as `withCredentials`.
 */
export type KclConfigOptions = Pick<KclConfigFields, 'applicationName' | 'streamName' | 'regionName'> & {
  workerId?: string | undefined;
  credentials?: KclCredentialsSource | undefined;
} & { [K in KclOptionName]?: KclConfigFields[K] };

import { randomUUID } from 'node:crypto';
import { ConfigError } from '../errors';
import type { Logger } from '../logger/logger';
import { getDefaultLogger } from '../logger/winston-logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import { NoopMonitoringService } from '../metrics/monitoring-service';
import type { KclCredentialsSource } from './credentials';
import { KCL_CONFIG_DEFAULTS as D, KCL_CONFIG_LIMITS as L } from './defaults';
import { InitialPositionInStream } from './initial-position';
import type { ProcessorFailurePolicy } from './processor-failure-policy';
import * as check from './validation';

export type { KclCredentials, KclCredentialProvider, KclCredentialsSource } from './credentials';
export type { ProcessorFailureAction, ProcessorFailurePolicy } from './processor-failure-policy';

/**
 * Configuration of a KCL application: go-kcl's `KinesisClientLibConfiguration` with camelCase names.
 *
 * Every `with*` setter validates its value at once, throws a {@link ConfigError} naming the option, the value and the
 * allowed range, and returns `this` for chaining. Fields are public for reading; if you assign one directly, the
 * value is checked when the worker calls {@link KinesisClientLibConfig.validate} at `start()`.
 */
export class KinesisClientLibConfig {
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
  initialPositionInStream: InitialPositionInStream = D.initialPositionInStream;
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
  failoverTimeMillis: number = D.failoverTimeMillis;
  /**
   * How often the owner renews each lease it holds. Must be less than {@link failoverTimeMillis} (half of it or less
   * leaves room for one failed renewal).
   * @defaultValue `5000`
   */
  leaseRefreshPeriodMillis: number = D.leaseRefreshPeriodMillis;
  /**
   * Maximum records per GetRecords call (`Limit`, 1 to 10000, the Kinesis limit); a batch of this many records also
   * counts as "not caught up" for {@link idleTimeBetweenReadsInMillis}. Polling only: not used under enhanced fan-out,
   * where Kinesis pushes the records.
   * @defaultValue `10000`
   */
  maxRecords: number = D.maxRecords;
  /**
   * Maximum number of leases (shards) this worker holds at once. Setting it too low for the fleet can leave shards
   * unprocessed.
   * @defaultValue `32767` (go-kcl: math.MaxInt16)
   */
  maxLeasesForWorker: number = D.maxLeasesForWorker;
  /**
   * Interval between shard syncs (jittered to 50-150 %). Each sync lists the stream's shards with ListShards, so new
   * shards (after resharding) are leased, and then removes the lease of a shard that is gone from the listing
   * (trimmed), checkpointed at SHARD_END, and whose known children all have leases. A lease that is not at SHARD_END
   * is never removed, and a failed or empty ListShards answer removes nothing.
   * @defaultValue `60000`
   */
  shardSyncIntervalMillis: number = D.shardSyncIntervalMillis;
  /**
   * How long a polling consumer waits before the next GetRecords call when it is caught up: the call returned no
   * records, or fewer than {@link maxRecords} with MillisBehindLatest 0 (or absent). After a full batch, or one behind
   * the tip, the next call follows at once (at most 5 GetRecords per second per shard). Each wait is stretched by a
   * random 0 to 20 % (never shortened), so the polls of many shards spread out instead of arriving in one burst. Not
   * used under enhanced fan-out.
   * @defaultValue `1000`
   */
  idleTimeBetweenReadsInMillis: number = D.idleTimeBetweenReadsInMillis;
  /**
   * Call `processRecords` also with an empty record list (e.g. to observe `millisBehindLatest` or checkpoint on idle).
   * @defaultValue `false`
   */
  callProcessRecordsEvenForEmptyRecordList: boolean = D.callProcessRecordsEvenForEmptyRecordList;
  /**
   * Wait before calling the record processor's `initialize` or `processRecords` again after it threw (the same batch
   * is delivered again); doubled after each further failure, up to {@link maxTaskBackoffTimeMillis}. Also bounds the waits between the (up to 4) attempts of the first ListShards in
   * `worker.start()`: a full-jitter back-off with base `min(200, this)` ms, capped at `max(200, this)` ms. Not used
   * for other failures: failed Kinesis calls of a shard consumer are retried after a full-jitter back-off (200 ms
   * doubling up to 10 s), checkpoint writes after one of 100 ms up to 2 s ({@link maxRetryCount}), and a failed
   * lease renewal after a quarter of the renewal interval.
   * @defaultValue `500`
   */
  taskBackoffTimeMillis: number = D.taskBackoffTimeMillis;
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
  maxRetryCount: number = D.maxRetryCount;
  /**
   * Logger used by the worker and the backends.
   * @defaultValue a winston logger writing JSON to stderr at level `info` (`KCL_LOG_LEVEL` overrides the level)
   */
  logger: Logger;
  /**
   * Metrics sink, e.g. `PrometheusMonitoringService` from `@kcl/metrics-prometheus`.
   * @defaultValue a {@link NoopMonitoringService}
   */
  monitoringService: MonitoringService = new NoopMonitoringService();
  /**
   * Consume with enhanced fan-out (SubscribeToShard) instead of polling (GetRecords).
   * @defaultValue `false`
   */
  enableEnhancedFanOutConsumer: boolean = D.enableEnhancedFanOutConsumer;
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
  enableLeaseStealing: boolean = D.enableLeaseStealing;
  /**
   * Least time between two balancing rounds of the leader (with {@link enableLeaseStealing}); one round asks for many
   * hand-offs in parallel (each worker's whole excess). Leases moved in one round are not moved again for
   * {@link failoverTimeMillis}.
   * @defaultValue `5000`
   */
  leaseStealingIntervalMillis: number = D.leaseStealingIntervalMillis;
  /**
   * No effect since fleet coordination (kept so configs that set it keep working; go-kcl's lease syncing interval):
   * the leader reads the lease table every {@link leaseRefreshPeriodMillis} and decides balancing on that read; no
   * other worker reads the whole table after start.
   * @defaultValue `60000`
   */
  leaseSyncingTimeIntervalMillis: number = D.leaseSyncingTimeIntervalMillis;
  /**
   * Upper bound on `worker.shutdown()`: processors get this long to finish the in-flight batch and their `shutdown`
   * (REQUESTED) call; leases not released by then are left to expire.
   * @defaultValue `30000`
   */
  shutdownGraceMillis: number = D.shutdownGraceMillis;
  /**
   * A record processor call (`initialize`, `processRecords`, `shutdown`) that has not returned after this long is
   * reported as stuck: a warning in the log, the worker's `processorStuck` event and the MonitoringService's optional
   * `processorStuck` metric - again each time this much more has passed. The call is not interrupted (JavaScript cannot
   * cancel it): the shard makes no progress while it runs, the lease stays held, and `shutdown()` gives the lease up
   * after `shutdownGraceMillis`. (The Java KCL's `logWarningForTaskAfterMillis`.)
   * @defaultValue `60000`
   */
  logWarningForTaskAfterMillis: number = D.logWarningForTaskAfterMillis;
  /**
   * Cap of the wait between the calls of a record processor's `initialize`, or of its `processRecords` with the same
   * batch, while they throw: {@link taskBackoffTimeMillis}, then doubling per failure up to this (never less than
   * `taskBackoffTimeMillis`: set both equal for a fixed wait, as go-kcl).
   * @defaultValue `30000`
   */
  maxTaskBackoffTimeMillis: number = D.maxTaskBackoffTimeMillis;
  /**
   * What happens to a batch whose `processRecords` keeps throwing: `{ action: 'retry' }` delivers it again forever;
   * `{ action: 'skip', maxAttempts }` passes it over after that many failed calls (`batchSkipped` event with the
   * records and their sequence range; a later `checkpoint()` covers it); `{ action: 'releaseLease', maxAttempts }`
   * shuts the processor down (REQUESTED) and releases the lease (`leaseLost` reason `failing`). `initialize` is
   * always retried.
   * @defaultValue `{ action: 'retry' }`
   */
  processorFailurePolicy: Readonly<ProcessorFailurePolicy> = D.processorFailurePolicy;
  /**
   * A record processor call running longer than this gives its lease up (0 = never): renewal stops, `leaseLost`
   * (reason `stuck`) fires, the call's checkpoints throw `LeaseLostError`, another worker takes the shard after
   * {@link failoverTimeMillis}, and the processor gets `shutdown(ZOMBIE)` once the call returns.
   * @defaultValue `0` (off)
   */
  maxProcessingTimeMillis: number = D.maxProcessingTimeMillis;
  /**
   * Log a warning (once per lease) when `processRecords` returned this many non-empty batches in a row without a
   * checkpoint written on the shard (0 = never).
   * @defaultValue `100`
   */
  warnAfterBatchesWithoutCheckpoint: number = D.warnAfterBatchesWithoutCheckpoint;

  /**
   * @param applicationName 1 to 255 characters of letters, digits, `_`, `.`, `-`
   * @param streamName 1 to 128 characters of letters, digits, `_`, `.`, `-`
   * @param regionName an AWS region such as `us-east-1`
   * @param workerId unique id of this worker; empty or omitted gives a random UUID
   * @throws ConfigError if an argument is invalid, or if `KCL_LOG_LEVEL` names an unknown level (the default logger
   *   is created here)
   */
  constructor(applicationName: string, streamName: string, regionName: string, workerId?: string) {
    this.applicationName = check.checkApplicationName(applicationName);
    this.streamName = check.checkStreamName(streamName);
    this.regionName = check.checkRegion(regionName);
    this.workerId =
      workerId === undefined || workerId === null || (typeof workerId === 'string' && workerId.trim() === '')
        ? randomUUID()
        : check.checkWorkerId(workerId);
    this.tableName = applicationName;
    this.enhancedFanOutConsumerName = applicationName;
    this.logger = getDefaultLogger();
  }

  /** Lease table name (DynamoDB rules: 3 to 255 characters of letters, digits, `_`, `.`, `-`). */
  withTableName(tableName: string): this {
    this.tableName = check.checkTableName(tableName);
    return this;
  }

  /**
   * Where shards without a checkpoint start. A position other than AT_TIMESTAMP clears a timestamp set before.
   * For AT_TIMESTAMP prefer {@link withTimestampAtInitialPositionInStream}.
   */
  withInitialPositionInStream(position: InitialPositionInStream): this {
    this.initialPositionInStream = check.checkInitialPosition(position);
    if (position !== InitialPositionInStream.AT_TIMESTAMP) this.timestampAtInitialPositionInStream = undefined;
    return this;
  }

  /** Starts shards without a checkpoint at `timestamp`; also sets the initial position to AT_TIMESTAMP (as go-kcl). */
  withTimestampAtInitialPositionInStream(timestamp: Date): this {
    this.timestampAtInitialPositionInStream = new Date(check.checkTimestamp(timestamp).getTime());
    this.initialPositionInStream = InitialPositionInStream.AT_TIMESTAMP;
    return this;
  }

  /** Lease duration in milliseconds (integer, 1 to 86400000). */
  withFailoverTimeMillis(millis: number): this {
    this.failoverTimeMillis = check.checkMillis('failoverTimeMillis', millis);
    return this;
  }

  /** Lease renewal interval in milliseconds (integer, 1 to 86400000; less than failoverTimeMillis, see validate()). */
  withLeaseRefreshPeriodMillis(millis: number): this {
    this.leaseRefreshPeriodMillis = check.checkMillis('leaseRefreshPeriodMillis', millis);
    return this;
  }

  /** Shard sync interval in milliseconds (integer, 1 to 86400000). */
  withShardSyncIntervalMillis(millis: number): this {
    this.shardSyncIntervalMillis = check.checkMillis('shardSyncIntervalMillis', millis);
    return this;
  }

  /** Records per GetRecords call (integer, 1 to 10000). */
  withMaxRecords(maxRecords: number): this {
    this.maxRecords = check.checkInteger('maxRecords', maxRecords, 1, L.maxRecords);
    return this;
  }

  /** Maximum leases held by this worker (integer, 1 to 1000000). */
  withMaxLeasesForWorker(maxLeases: number): this {
    this.maxLeasesForWorker = check.checkInteger('maxLeasesForWorker', maxLeases, 1, L.maxLeasesForWorker);
    return this;
  }

  /** Idle wait between GetRecords calls when caught up, in milliseconds (integer, 1 to 86400000). */
  withIdleTimeBetweenReadsInMillis(millis: number): this {
    this.idleTimeBetweenReadsInMillis = check.checkMillis('idleTimeBetweenReadsInMillis', millis);
    return this;
  }

  /** Whether processRecords is called with empty record lists. */
  withCallProcessRecordsEvenForEmptyRecordList(call: boolean): this {
    this.callProcessRecordsEvenForEmptyRecordList = check.checkBoolean('callProcessRecordsEvenForEmptyRecordList', call);
    return this;
  }

  /** Back-off after a failed task, in milliseconds (integer, 1 to 86400000). */
  withTaskBackoffTimeMillis(millis: number): this {
    this.taskBackoffTimeMillis = check.checkMillis('taskBackoffTimeMillis', millis);
    return this;
  }

  /** Maximum retries of a failed AWS call (integer, 0 to 100). */
  withMaxRetryCount(maxRetryCount: number): this {
    this.maxRetryCount = check.checkInteger('maxRetryCount', maxRetryCount, 0, L.maxRetryCount);
    return this;
  }

  /** Logger for the worker and backends (any object with debug, info, warn, error and child). */
  withLogger(logger: Logger): this {
    this.logger = check.checkLogger(logger);
    return this;
  }

  /** Metrics sink. */
  withMonitoringService(monitoringService: MonitoringService): this {
    this.monitoringService = check.checkMonitoringService(monitoringService);
    return this;
  }

  /** Turns enhanced fan-out on or off. */
  withEnhancedFanOutConsumer(enable: boolean): this {
    this.enableEnhancedFanOutConsumer = check.checkBoolean('enableEnhancedFanOutConsumer', enable);
    return this;
  }

  /** Name of the fan-out consumer to register (1 to 128 characters); also enables fan-out, as in go-kcl. */
  withEnhancedFanOutConsumerName(consumerName: string): this {
    this.enhancedFanOutConsumerName = check.checkConsumerName(consumerName);
    this.enableEnhancedFanOutConsumer = true;
    return this;
  }

  /** ARN of an existing fan-out consumer of this stream; also enables fan-out, as in go-kcl. */
  withEnhancedFanOutConsumerARN(consumerARN: string): this {
    check.checkConsumerArn(consumerARN);
    this.enhancedFanOutConsumerARN = consumerARN;
    this.enableEnhancedFanOutConsumer = true;
    return this;
  }

  /** Turns balancing by hand-offs (lease stealing) on or off (on by default). */
  withLeaseStealing(enable: boolean): this {
    this.enableLeaseStealing = check.checkBoolean('enableLeaseStealing', enable);
    return this;
  }

  /** Least time between two balancing rounds of the leader in milliseconds (integer, 1 to 86400000). */
  withLeaseStealingIntervalMillis(millis: number): this {
    this.leaseStealingIntervalMillis = check.checkMillis('leaseStealingIntervalMillis', millis);
    return this;
  }

  /** No effect since fleet coordination (see {@link leaseSyncingTimeIntervalMillis}); integer, 1 to 86400000. */
  withLeaseSyncingIntervalMillis(millis: number): this {
    this.leaseSyncingTimeIntervalMillis = check.checkMillis('leaseSyncingTimeIntervalMillis', millis);
    return this;
  }

  /** Upper bound on graceful shutdown in milliseconds (integer, 1 to 86400000). */
  withShutdownGraceMillis(millis: number): this {
    this.shutdownGraceMillis = check.checkMillis('shutdownGraceMillis', millis);
    return this;
  }

  /** After how long a processor call that has not returned is reported as stuck, in milliseconds (1 to 86400000). */
  withLogWarningForTaskAfterMillis(millis: number): this {
    this.logWarningForTaskAfterMillis = check.checkMillis('logWarningForTaskAfterMillis', millis);
    return this;
  }

  /** Cap of the growing wait after a processor call threw, in milliseconds (integer, 1 to 86400000). */
  withMaxTaskBackoffTimeMillis(millis: number): this {
    this.maxTaskBackoffTimeMillis = check.checkMillis('maxTaskBackoffTimeMillis', millis);
    return this;
  }

  /** What to do with a batch whose processRecords keeps throwing (see {@link processorFailurePolicy}). */
  withProcessorFailurePolicy(policy: ProcessorFailurePolicy): this {
    this.processorFailurePolicy = check.checkProcessorFailurePolicy(policy);
    return this;
  }

  /** Give a lease up when a processor call runs longer than this, in milliseconds (0 = off, or 1 to 86400000). */
  withMaxProcessingTimeMillis(millis: number): this {
    this.maxProcessingTimeMillis = check.checkMillis('maxProcessingTimeMillis', millis, 0);
    return this;
  }

  /** Warn after this many batches without a checkpoint (integer, 0 = off, up to 1000000). */
  withWarnAfterBatchesWithoutCheckpoint(batches: number): this {
    this.warnAfterBatchesWithoutCheckpoint = check.checkInteger('warnAfterBatchesWithoutCheckpoint', batches, 0, L.maxCount);
    return this;
  }

  /** Kinesis endpoint URL (http:// or https://). */
  withKinesisEndpoint(endpoint: string): this {
    this.kinesisEndpoint = check.checkEndpoint('kinesisEndpoint', endpoint);
    return this;
  }

  /** DynamoDB endpoint URL (http:// or https://). */
  withDynamoDBEndpoint(endpoint: string): this {
    this.dynamoDBEndpoint = check.checkEndpoint('dynamoDBEndpoint', endpoint);
    return this;
  }

  /** Credentials for Kinesis: static keys or a provider function such as `fromIni()`. */
  withKinesisCredentials(credentials: KclCredentialsSource): this {
    this.kinesisCredentials = check.checkCredentials('kinesisCredentials', credentials);
    return this;
  }

  /** Credentials for DynamoDB: static keys or a provider function. */
  withDynamoDBCredentials(credentials: KclCredentialsSource): this {
    this.dynamoDBCredentials = check.checkCredentials('dynamoDBCredentials', credentials);
    return this;
  }

  /** The same credentials for Kinesis and DynamoDB. */
  withCredentials(credentials: KclCredentialsSource): this {
    const checked = check.checkCredentials('credentials', credentials);
    this.kinesisCredentials = checked;
    this.dynamoDBCredentials = checked;
    return this;
  }

  /**
   * Checks every option again (fields may have been assigned directly) and the options against each other. The
   * worker calls this in `start()`.
   * @throws ConfigError for the first problem found, with a hint how to fix it
   */
  validate(): this {
    this.validateFields();
    this.validateCombinations();
    return this;
  }

  private validateFields(): void {
    check.checkApplicationName(this.applicationName);
    check.checkStreamName(this.streamName);
    check.checkRegion(this.regionName);
    check.checkWorkerId(this.workerId);
    check.checkTableName(
      this.tableName,
      this.tableName === this.applicationName ? 'The table name defaults to the application name; set one with withTableName(...).' : undefined,
    );
    check.checkInitialPosition(this.initialPositionInStream);
    if (this.timestampAtInitialPositionInStream !== undefined) check.checkTimestamp(this.timestampAtInitialPositionInStream);
    check.checkMillis('failoverTimeMillis', this.failoverTimeMillis);
    check.checkMillis('leaseRefreshPeriodMillis', this.leaseRefreshPeriodMillis);
    check.checkMillis('shardSyncIntervalMillis', this.shardSyncIntervalMillis);
    check.checkInteger('maxRecords', this.maxRecords, 1, L.maxRecords);
    check.checkInteger('maxLeasesForWorker', this.maxLeasesForWorker, 1, L.maxLeasesForWorker);
    check.checkMillis('idleTimeBetweenReadsInMillis', this.idleTimeBetweenReadsInMillis);
    check.checkBoolean('callProcessRecordsEvenForEmptyRecordList', this.callProcessRecordsEvenForEmptyRecordList);
    check.checkMillis('taskBackoffTimeMillis', this.taskBackoffTimeMillis);
    check.checkInteger('maxRetryCount', this.maxRetryCount, 0, L.maxRetryCount);
    check.checkLogger(this.logger);
    check.checkMonitoringService(this.monitoringService);
    check.checkBoolean('enableEnhancedFanOutConsumer', this.enableEnhancedFanOutConsumer);
    check.checkBoolean('enableLeaseStealing', this.enableLeaseStealing);
    check.checkMillis('leaseStealingIntervalMillis', this.leaseStealingIntervalMillis);
    check.checkMillis('leaseSyncingTimeIntervalMillis', this.leaseSyncingTimeIntervalMillis);
    check.checkMillis('shutdownGraceMillis', this.shutdownGraceMillis);
    check.checkMillis('logWarningForTaskAfterMillis', this.logWarningForTaskAfterMillis);
    check.checkMillis('maxTaskBackoffTimeMillis', this.maxTaskBackoffTimeMillis);
    check.checkProcessorFailurePolicy(this.processorFailurePolicy);
    check.checkMillis('maxProcessingTimeMillis', this.maxProcessingTimeMillis, 0);
    check.checkInteger('warnAfterBatchesWithoutCheckpoint', this.warnAfterBatchesWithoutCheckpoint, 0, L.maxCount);
    if (this.kinesisEndpoint !== undefined) check.checkEndpoint('kinesisEndpoint', this.kinesisEndpoint);
    if (this.dynamoDBEndpoint !== undefined) check.checkEndpoint('dynamoDBEndpoint', this.dynamoDBEndpoint);
    if (this.kinesisCredentials !== undefined) check.checkCredentials('kinesisCredentials', this.kinesisCredentials);
    if (this.dynamoDBCredentials !== undefined) check.checkCredentials('dynamoDBCredentials', this.dynamoDBCredentials);
  }

  private validateCombinations(): void {
    if (this.leaseRefreshPeriodMillis >= this.failoverTimeMillis) {
      throw new ConfigError(
        'leaseRefreshPeriodMillis',
        this.leaseRefreshPeriodMillis,
        `less than failoverTimeMillis (${this.failoverTimeMillis})`,
        'A lease must be renewed before it expires: lower withLeaseRefreshPeriodMillis(...) to at most half of ' +
          'failoverTimeMillis, or raise withFailoverTimeMillis(...).',
      );
    }
    if (
      this.initialPositionInStream === InitialPositionInStream.AT_TIMESTAMP &&
      this.timestampAtInitialPositionInStream === undefined
    ) {
      throw new ConfigError(
        'timestampAtInitialPositionInStream',
        undefined,
        'a valid Date when initialPositionInStream is AT_TIMESTAMP',
        'Call withTimestampAtInitialPositionInStream(date), which also selects AT_TIMESTAMP.',
      );
    }
    if (this.enableEnhancedFanOutConsumer) this.validateFanOut();
  }

  private validateFanOut(): void {
    if (this.enhancedFanOutConsumerARN !== undefined) {
      const arn = check.checkConsumerArn(this.enhancedFanOutConsumerARN);
      if (arn.streamName !== this.streamName) {
        throw new ConfigError(
          'enhancedFanOutConsumerARN',
          this.enhancedFanOutConsumerARN,
          `a consumer of stream "${this.streamName}"`,
          `The ARN names stream "${arn.streamName}"; use a consumer registered on "${this.streamName}".`,
        );
      }
      return;
    }
    check.checkConsumerName(
      this.enhancedFanOutConsumerName,
      this.enhancedFanOutConsumerName === this.applicationName
        ? 'The consumer name defaults to the application name; set one with withEnhancedFanOutConsumerName(...).'
        : undefined,
    );
  }
}

/**
 * The one table of the configuration options: for each, its go-kcl setter, default, check and the text of the core
 * README's options table. `KinesisClientLibConfig` takes its defaults, setters (thin wrappers), `validate()` and
 * options object from here, `KCL_CONFIG_DEFAULTS` is derived from it, and the README table is generated from it
 * (`pnpm --filter @kcl/core docs:config`; a test fails when the README differs). Types and IDE docs of the options
 * are in `config-fields.ts`.
 * @internal
 */
import { getDefaultLogger } from '../logger/winston-logger';
import { NoopMonitoringService } from '../metrics/monitoring-service';
import type { KclConfigFields, KclOptionName } from './config-fields';
import { KCL_CONFIG_LIMITS } from './limits';
import { InitialPositionInStream } from './initial-position';
import * as check from './validation';

/** One option of the table. */
export interface OptionSpec<T> {
  /** Name of the go-kcl style setter on `KinesisClientLibConfig`. */
  setter: string;
  /** Name of the setter's argument in the README table. */
  argument: string;
  /** Default value (`undefined`: none, or computed by `initial`). Numbers are go-kcl's defaults unless noted. */
  default: T | undefined;
  /** Computes the default from the identity fields (application name) when it is not a constant. */
  initial?: (fields: Pick<KclConfigFields, 'applicationName'>) => T;
  /** README: the default, when not the number itself. */
  defaultText?: string;
  /** README: what is allowed (`millis`: an integer from 1 to 86,400,000). */
  allowed: string;
  /** README: what the option does (markdown). */
  summary: string;
  /**
   * Returns the value if it is allowed, else throws a `ConfigError` naming the option, the value and what is allowed.
   * `fields` is given by `validate()` (not by the setters) for hints that depend on other options.
   */
  check: (value: unknown, fields?: Readonly<KclConfigFields>) => T;
  /** Stores a checked value (default: the field of the same name); setters with side effects as go-kcl's. */
  assign?: (fields: KclConfigFields, value: T) => void;
  /** `undefined` is a valid value (no default and not required). */
  optional?: true;
  /** Checked by `validate()` only when enhanced fan-out is on (with hints that name the fan-out setters). */
  fanOutOnly?: true;
}

export type OptionTable = { readonly [K in KclOptionName]: OptionSpec<KclConfigFields[K]> };

const millis =
  (option: string, min = 1) =>
  (value: unknown): number =>
    check.checkMillis(option, value, min);
const integer =
  (option: string, min: number, max: number) =>
  (value: unknown): number =>
    check.checkInteger(option, value, min, max);
const boolean =
  (option: string) =>
  (value: unknown): boolean =>
    check.checkBoolean(option, value);

/** In this order the options object is applied and the README lists them. */
export const OPTION_TABLE: OptionTable = {
  tableName: {
    setter: 'withTableName',
    argument: 'name',
    default: undefined,
    initial: (c) => c.applicationName,
    defaultText: 'application name',
    allowed: '3-255 characters of letters, digits, `_`, `.`, `-`',
    summary: 'lease table (DynamoDB table; part of the Redis keys)',
    check: (v, c) =>
      check.checkTableName(
        v,
        c && v === c.applicationName ? 'The table name defaults to the application name; set one with withTableName(...).' : undefined,
      ),
  },
  initialPositionInStream: {
    setter: 'withInitialPositionInStream',
    argument: 'pos',
    default: InitialPositionInStream.LATEST,
    defaultText: '`LATEST`',
    allowed: '`LATEST` (1), `TRIM_HORIZON` (2), `AT_TIMESTAMP` (3)',
    summary:
      'where a shard without checkpoint starts (not children of a reshard: those start at `TRIM_HORIZON`). A position other than `AT_TIMESTAMP` clears the timestamp',
    check: (v) => check.checkInitialPosition(v),
    assign: (c, v) => {
      c.initialPositionInStream = v;
      if (v !== InitialPositionInStream.AT_TIMESTAMP) c.timestampAtInitialPositionInStream = undefined;
    },
  },
  timestampAtInitialPositionInStream: {
    setter: 'withTimestampAtInitialPositionInStream',
    argument: 'date',
    default: undefined,
    defaultText: 'none',
    allowed: 'a valid `Date`',
    summary: 'start time for `AT_TIMESTAMP`; also selects `AT_TIMESTAMP`',
    check: (v) => check.checkTimestamp(v),
    assign: (c, v) => {
      c.timestampAtInitialPositionInStream = new Date(v!.getTime());
      c.initialPositionInStream = InitialPositionInStream.AT_TIMESTAMP;
    },
    optional: true,
  },
  failoverTimeMillis: {
    setter: 'withFailoverTimeMillis',
    argument: 'ms',
    default: 10_000,
    allowed: 'millis',
    summary:
      'lease duration: others take a lease whose counter has not moved for this long; the owner stops 20 % earlier ([validity window](#renewal-and-the-validity-window))',
    check: millis('failoverTimeMillis'),
  },
  leaseRefreshPeriodMillis: {
    setter: 'withLeaseRefreshPeriodMillis',
    argument: 'ms',
    default: 5_000,
    allowed: 'millis, less than `failoverTimeMillis`',
    summary:
      "renewal interval (effective: `min(this, (failover - 20 %) / 2)`), heartbeat and leader interval, the leader's table read and other workers' own-leases read",
    check: millis('leaseRefreshPeriodMillis'),
  },
  shardSyncIntervalMillis: {
    setter: 'withShardSyncIntervalMillis',
    argument: 'ms',
    default: 60_000,
    allowed: 'millis',
    summary: 'interval of the ListShards sync (jittered 50-150 %), which finds new shards and runs the [lease cleanup](#shard-sync)',
    check: millis('shardSyncIntervalMillis'),
  },
  maxRecords: {
    setter: 'withMaxRecords',
    argument: 'n',
    default: 10_000,
    allowed: '1-10000',
    summary: '`Limit` of each GetRecords call; also the "full batch" size of the idle rule. Polling only: not used under enhanced fan-out',
    check: integer('maxRecords', 1, KCL_CONFIG_LIMITS.maxRecords),
  },
  maxConcurrentGetRecords: {
    setter: 'withMaxConcurrentGetRecords',
    argument: 'n',
    default: 64,
    allowed: '1-10,000',
    summary:
      'most GetRecords and GetShardIterator calls the polling consumers of this worker keep in flight together; a consumer finding every slot taken waits its turn (first come, first served). Keeps a worker with 1,000+ shards from sending a call per shard in one burst ([polling consumer](#5-polling-consumer-getrecords), "Many shards in one process"). GetShardIterator calls alone: at most a quarter of it (1 to 16). Polling only. Not in go-kcl',
    check: integer('maxConcurrentGetRecords', 1, KCL_CONFIG_LIMITS.maxConcurrentGetRecords),
  },
  maxLeasesForWorker: {
    // go-kcl: math.MaxInt16.
    setter: 'withMaxLeasesForWorker',
    argument: 'n',
    default: 32_767,
    allowed: '1-1,000,000',
    summary: 'most leases this worker holds; too low for the fleet leaves shards unprocessed',
    check: integer('maxLeasesForWorker', 1, KCL_CONFIG_LIMITS.maxLeasesForWorker),
  },
  idleTimeBetweenReadsInMillis: {
    setter: 'withIdleTimeBetweenReadsInMillis',
    argument: 'ms',
    default: 1_000,
    allowed: 'millis',
    summary:
      'wait before the next GetRecords when caught up: after an empty batch, or a partial batch (fewer than `maxRecords`) with `MillisBehindLatest` 0 ([idle rule](#5-polling-consumer-getrecords)), plus a random 0-20 % so shards do not poll in bursts. Polling only: not used under enhanced fan-out',
    check: millis('idleTimeBetweenReadsInMillis'),
  },
  callProcessRecordsEvenForEmptyRecordList: {
    setter: 'withCallProcessRecordsEvenForEmptyRecordList',
    argument: 'b',
    default: false,
    defaultText: '`false`',
    allowed: 'boolean',
    summary: 'also call `processRecords` with empty batches (e.g. to see `millisBehindLatest`)',
    check: boolean('callProcessRecordsEvenForEmptyRecordList'),
  },
  taskBackoffTimeMillis: {
    setter: 'withTaskBackoffTimeMillis',
    argument: 'ms',
    default: 500,
    allowed: 'millis',
    summary:
      'wait before calling `initialize` / `processRecords` again after it threw the first time (doubling per further failure up to `maxTaskBackoffTimeMillis`); also bounds the waits of the start-up ListShards retries (full jitter, base `min(200, ms)`, cap `max(200, ms)`). Not used for other failures: Kinesis calls of a consumer back off 200 ms to 10 s (full jitter), checkpoint writes 100 ms to 2 s, a failed renewal is retried after a quarter of the renewal interval',
    check: millis('taskBackoffTimeMillis'),
  },
  maxRetryCount: {
    setter: 'withMaxRetryCount',
    argument: 'n',
    default: 5,
    allowed: '0-100',
    summary:
      "retries of each call of the Kinesis client the worker builds (`maxAttempts = n + 1`; not for an injected client) and of a checkpoint write that failed with `LeaseStoreUnavailableError`. Not the DynamoDB backend's attempts (`maxAttempts` option of `@kcl/checkpoint-dynamodb`)",
    check: integer('maxRetryCount', 0, KCL_CONFIG_LIMITS.maxRetryCount),
  },
  logger: {
    setter: 'withLogger',
    argument: 'logger',
    default: undefined,
    initial: () => getDefaultLogger(),
    defaultText: 'winston, JSON to stderr, level `info`',
    allowed: 'object with `debug`, `info`, `warn`, `error`, `child`',
    summary: 'logger of the worker and the backends',
    check: (v) => check.checkLogger(v),
  },
  monitoringService: {
    setter: 'withMonitoringService',
    argument: 'm',
    default: undefined,
    initial: () => new NoopMonitoringService(),
    defaultText: '`NoopMonitoringService`',
    allowed: 'a `MonitoringService`',
    summary: 'metrics sink',
    check: (v) => check.checkMonitoringService(v),
  },
  enableEnhancedFanOutConsumer: {
    setter: 'withEnhancedFanOutConsumer',
    argument: 'b',
    default: false,
    defaultText: '`false`',
    allowed: 'boolean',
    summary: 'consume with SubscribeToShard instead of GetRecords',
    check: boolean('enableEnhancedFanOutConsumer'),
  },
  enhancedFanOutConsumerName: {
    setter: 'withEnhancedFanOutConsumerName',
    argument: 'name',
    default: undefined,
    initial: (c) => c.applicationName,
    defaultText: 'application name',
    allowed: '1-128 characters of letters, digits, `_`, `.`, `-`',
    summary: 'consumer to register or reuse; enables fan-out',
    check: (v) => check.checkConsumerName(v),
    assign: (c, v) => {
      c.enhancedFanOutConsumerName = v;
      c.enableEnhancedFanOutConsumer = true;
    },
    fanOutOnly: true,
  },
  enhancedFanOutConsumerARN: {
    setter: 'withEnhancedFanOutConsumerARN',
    argument: 'arn',
    default: undefined,
    defaultText: 'none',
    allowed: '`arn:aws:kinesis:<region>:<account>:stream/<stream>/consumer/<name>:<timestamp>`',
    summary: 'existing consumer to use (nothing registered); enables fan-out',
    check: (v) => {
      check.checkConsumerArn(v);
      return v as string;
    },
    assign: (c, v) => {
      c.enhancedFanOutConsumerARN = v;
      c.enableEnhancedFanOutConsumer = true;
    },
    optional: true,
    fanOutOnly: true,
  },
  enableLeaseStealing: {
    // Not go-kcl's default (false there): the leader balances leases by hand-offs unless turned off.
    setter: 'withLeaseStealing',
    argument: 'b',
    default: true,
    defaultText: '`true`',
    allowed: 'boolean',
    summary: '[balancing](#balancing-lease-stealing) by hand-offs; `false`: no hand-offs (free leases are still assigned)',
    check: boolean('enableLeaseStealing'),
  },
  leaseStealingIntervalMillis: {
    setter: 'withLeaseStealingIntervalMillis',
    argument: 'ms',
    default: 5_000,
    allowed: 'millis',
    summary: 'least time between two balancing rounds of the leader (each asks for many hand-offs in parallel)',
    check: millis('leaseStealingIntervalMillis'),
  },
  leaseSyncingTimeIntervalMillis: {
    setter: 'withLeaseSyncingIntervalMillis',
    argument: 'ms',
    default: 60_000,
    allowed: 'millis',
    summary: 'no effect since fleet coordination (kept for compatibility): the leader reads the table every refresh period',
    check: millis('leaseSyncingTimeIntervalMillis'),
  },
  shutdownGraceMillis: {
    // Not settable in go-kcl (whose unused field defaults to 5000); @kcl bounds graceful shutdown with it.
    setter: 'withShutdownGraceMillis',
    argument: 'ms',
    default: 30_000,
    allowed: 'millis',
    summary: 'upper bound of `worker.shutdown()` (not in go-kcl)',
    check: millis('shutdownGraceMillis'),
  },
  logWarningForTaskAfterMillis: {
    setter: 'withLogWarningForTaskAfterMillis',
    argument: 'ms',
    default: 60_000,
    allowed: 'millis',
    summary:
      "a processor call (`initialize`, `processRecords`, `shutdown`) still running after this is reported as stuck: warning, `processorStuck` event, `processorStuck` metric, repeated each time this much more passes (the Java KCL's option; not in go-kcl)",
    check: millis('logWarningForTaskAfterMillis'),
  },
  maxTaskBackoffTimeMillis: {
    setter: 'withMaxTaskBackoffTimeMillis',
    argument: 'ms',
    default: 30_000,
    allowed: 'millis',
    summary:
      'cap of the processor back-off: after a throwing `initialize` or `processRecords` the wait is `taskBackoffTimeMillis`, doubling per failure up to this (never less than `taskBackoffTimeMillis`; set both equal for a fixed wait). Not in go-kcl',
    check: millis('maxTaskBackoffTimeMillis'),
  },
  processorFailurePolicy: {
    setter: 'withProcessorFailurePolicy',
    argument: 'p',
    default: Object.freeze({ action: 'retry' as const }),
    defaultText: "`{ action: 'retry' }`",
    allowed: "`{ action: 'retry' }`, or `{ action: 'skip' \\| 'releaseLease', maxAttempts: 1-1,000,000 }`",
    summary:
      'what happens to a batch whose `processRecords` keeps throwing: retried forever, skipped (`batchSkipped` event) or the lease released after `maxAttempts` failed calls ([details](#3-recordprocessor-lifecycle)). Not in go-kcl',
    check: (v) => check.checkProcessorFailurePolicy(v),
  },
  maxProcessingTimeMillis: {
    setter: 'withMaxProcessingTimeMillis',
    argument: 'ms',
    default: 0,
    defaultText: '0 (off)',
    allowed: '0, or millis',
    summary:
      'a processor call running longer gives its lease up (`leaseLost` reason `stuck`; another worker takes the shard after `failoverTimeMillis`; `shutdown(ZOMBIE)` once the call returns). Not in go-kcl',
    check: millis('maxProcessingTimeMillis', 0),
  },
  warnAfterBatchesWithoutCheckpoint: {
    setter: 'withWarnAfterBatchesWithoutCheckpoint',
    argument: 'n',
    default: 100,
    allowed: '0-1,000,000 (0 = off)',
    summary: 'one warning per lease when `processRecords` returned this many non-empty batches in a row without a checkpoint. Not in go-kcl',
    check: integer('warnAfterBatchesWithoutCheckpoint', 0, KCL_CONFIG_LIMITS.maxCount),
  },
  statusLogIntervalMillis: {
    setter: 'withStatusLogIntervalMillis',
    argument: 'ms',
    default: 60_000,
    defaultText: '60000 (0 = off)',
    allowed: '0, or millis',
    summary:
      'interval of the status line logged at info level: leases held, records/s, max MillisBehindLatest, stuck and failing shards (the same figures as `worker.status()`). Not in go-kcl',
    check: millis('statusLogIntervalMillis', 0),
  },
  kinesisEndpoint: {
    setter: 'withKinesisEndpoint',
    argument: 'url',
    default: undefined,
    defaultText: "the SDK's endpoint for the region",
    allowed: 'absolute `http://` or `https://` URL, no user info',
    summary:
      'Kinesis endpoint; every call but SubscribeToShard on `https://` uses HTTP/1.1 keep-alive (see [Transport](#transport-kinesis-over-https)); a rejected URL is shown with its password and query string replaced by `***`',
    check: (v) => check.checkEndpoint('kinesisEndpoint', v),
    optional: true,
  },
  dynamoDBEndpoint: {
    setter: 'withDynamoDBEndpoint',
    argument: 'url',
    default: undefined,
    defaultText: "the SDK's endpoint for the region",
    allowed: 'same',
    summary: 'DynamoDB endpoint, used by `@kcl/checkpoint-dynamodb` (HTTP/1.1 for `http://`)',
    check: (v) => check.checkEndpoint('dynamoDBEndpoint', v),
    optional: true,
  },
  kinesisCredentials: {
    setter: 'withKinesisCredentials',
    argument: 'c',
    default: undefined,
    defaultText: "the SDK's default provider chain",
    allowed: '`{ accessKeyId, secretAccessKey, sessionToken? }` with non-empty strings, or a provider function such as `fromIni()`',
    summary: 'credentials of the Kinesis client the worker builds',
    check: (v) => check.checkCredentials('kinesisCredentials', v),
    optional: true,
  },
  dynamoDBCredentials: {
    setter: 'withDynamoDBCredentials',
    argument: 'c',
    default: undefined,
    defaultText: "the SDK's default provider chain",
    allowed: 'same',
    summary: 'credentials of `@kcl/checkpoint-dynamodb`',
    check: (v) => check.checkCredentials('dynamoDBCredentials', v),
    optional: true,
  },
};

/** The option names in table order. */
export const OPTION_NAMES = Object.keys(OPTION_TABLE) as KclOptionName[];

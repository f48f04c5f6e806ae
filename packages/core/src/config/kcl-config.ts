import { randomUUID } from 'node:crypto';
import { ConfigError } from '../errors';
import type { Logger } from '../logger/logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import type { KclConfigFields, KclConfigOptions, KclOptionName } from './config-fields';
import type { KclCredentialsSource } from './credentials';
import { InitialPositionInStream } from './initial-position';
import { OPTION_NAMES, OPTION_TABLE, type OptionSpec } from './option-table';
import type { ProcessorFailurePolicy } from './processor-failure-policy';
import * as check from './validation';

export type { KclCredentials, KclCredentialProvider, KclCredentialsSource } from './credentials';
export type { ProcessorFailureAction, ProcessorFailurePolicy } from './processor-failure-policy';
export type { KclConfigFields, KclConfigOptions, KclOptionName } from './config-fields';

/** Options that can be given to {@link KinesisClientLibConfig.withOptions}. */
export type KclOptionValues = Omit<KclConfigOptions, 'applicationName' | 'streamName' | 'regionName' | 'workerId'>;

const IDENTITY_KEYS: ReadonlySet<string> = new Set(['applicationName', 'streamName', 'regionName', 'workerId']);
const OPTION_KEYS: ReadonlySet<string> = new Set<string>([...OPTION_NAMES, 'credentials']);

// The fields of the config are those of KclConfigFields (documented there), each set by the constructor from the
// option table: declared once, in that interface.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- merged into the class below
export interface KinesisClientLibConfig extends KclConfigFields {}

/**
 * Configuration of a KCL application: go-kcl's `KinesisClientLibConfiguration` with camelCase names.
 *
 * Build it with the go-kcl constructor and `with*` setters, or from one options object
 * (`new KinesisClientLibConfig({ applicationName, streamName, regionName, failoverTimeMillis: 20000 })`). Every
 * setter (and every key of an options object) validates its value at once, throws a {@link ConfigError} naming the
 * option, the value and the allowed range, and returns `this` for chaining. Fields are public for reading; if you
 * assign one directly, the value is checked when the worker calls {@link KinesisClientLibConfig.validate} at
 * `start()`. Defaults, checks and setters all come from one table (`config/option-table.ts`).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class KinesisClientLibConfig {
  /**
   * @param options the application, stream and region names, optionally the worker id and any option (see
   *   {@link KclConfigOptions}); unknown keys throw a {@link ConfigError}
   */
  constructor(options: KclConfigOptions);
  /**
   * @param applicationName 1 to 255 characters of letters, digits, `_`, `.`, `-`
   * @param streamName 1 to 128 characters of letters, digits, `_`, `.`, `-`
   * @param regionName an AWS region such as `us-east-1`
   * @param workerId unique id of this worker; empty or omitted gives a random UUID
   * @throws ConfigError if an argument is invalid, or if `KCL_LOG_LEVEL` names an unknown level (the default logger
   *   is created here)
   */
  constructor(applicationName: string, streamName: string, regionName: string, workerId?: string);
  constructor(first: string | KclConfigOptions, streamName?: string, regionName?: string, workerId?: string) {
    const options: { [K in keyof KclConfigOptions]?: unknown } =
      typeof first === 'object' && first !== null ? first : { applicationName: first, streamName, regionName, workerId };
    if (typeof first === 'object' && first !== null) rejectUnknownKeys(options, true);
    this.applicationName = check.checkApplicationName(options.applicationName);
    this.streamName = check.checkStreamName(options.streamName);
    this.regionName = check.checkRegion(options.regionName);
    const id = options.workerId;
    this.workerId = id === undefined || id === null || (typeof id === 'string' && id.trim() === '') ? randomUUID() : check.checkWorkerId(id);
    const fields = this as KclConfigFields;
    for (const name of OPTION_NAMES) {
      const spec = OPTION_TABLE[name] as OptionSpec<unknown>;
      (fields as unknown as Record<string, unknown>)[name] = spec.initial ? spec.initial(this) : spec.default;
    }
    if (typeof first === 'object' && first !== null) {
      const { applicationName: _a, streamName: _s, regionName: _r, workerId: _w, ...rest } = first;
      this.withOptions(rest);
    }
  }

  /**
   * Applies several options at once, each as its `with*` setter (same checks, same side effects), in the order of the
   * README's options table; keys whose value is `undefined` are skipped.
   * @throws ConfigError for an unknown key or a value its setter would reject
   */
  withOptions(options: KclOptionValues): this {
    rejectUnknownKeys(options, false);
    const record = options as Record<string, unknown>;
    for (const name of OPTION_NAMES) {
      if (record[name] !== undefined) this.set(name, record[name]);
    }
    if (record['credentials'] !== undefined) this.withCredentials(record['credentials'] as KclCredentialsSource);
    return this;
  }

  /** Checks `value` with the option's check and stores it as the option's setter does. */
  private set<K extends KclOptionName>(name: K, value: unknown): this {
    const spec = OPTION_TABLE[name] as OptionSpec<KclConfigFields[K]>;
    const checked = spec.check(value);
    if (spec.assign) spec.assign(this, checked);
    else (this as KclConfigFields)[name] = checked;
    return this;
  }

  /** Lease table name (DynamoDB rules: 3 to 255 characters of letters, digits, `_`, `.`, `-`). */
  withTableName(tableName: string): this {
    return this.set('tableName', tableName);
  }

  /**
   * Where shards without a checkpoint start. A position other than AT_TIMESTAMP clears a timestamp set before.
   * For AT_TIMESTAMP prefer {@link withTimestampAtInitialPositionInStream}.
   */
  withInitialPositionInStream(position: InitialPositionInStream): this {
    return this.set('initialPositionInStream', position);
  }

  /** Starts shards without a checkpoint at `timestamp`; also sets the initial position to AT_TIMESTAMP (as go-kcl). */
  withTimestampAtInitialPositionInStream(timestamp: Date): this {
    return this.set('timestampAtInitialPositionInStream', timestamp);
  }

  /** Lease duration in milliseconds (integer, 1 to 86400000). */
  withFailoverTimeMillis(millis: number): this {
    return this.set('failoverTimeMillis', millis);
  }

  /** Lease renewal interval in milliseconds (integer, 1 to 86400000; less than failoverTimeMillis, see validate()). */
  withLeaseRefreshPeriodMillis(millis: number): this {
    return this.set('leaseRefreshPeriodMillis', millis);
  }

  /** Shard sync interval in milliseconds (integer, 1 to 86400000). */
  withShardSyncIntervalMillis(millis: number): this {
    return this.set('shardSyncIntervalMillis', millis);
  }

  /** Records per GetRecords call (integer, 1 to 10000). */
  withMaxRecords(maxRecords: number): this {
    return this.set('maxRecords', maxRecords);
  }

  /** Most GetRecords / GetShardIterator calls of this worker's polling consumers in flight together (1 to 10000). */
  withMaxConcurrentGetRecords(calls: number): this {
    return this.set('maxConcurrentGetRecords', calls);
  }

  /** Maximum leases held by this worker (integer, 1 to 1000000). */
  withMaxLeasesForWorker(maxLeases: number): this {
    return this.set('maxLeasesForWorker', maxLeases);
  }

  /** Idle wait between GetRecords calls when caught up, in milliseconds (integer, 1 to 86400000). */
  withIdleTimeBetweenReadsInMillis(millis: number): this {
    return this.set('idleTimeBetweenReadsInMillis', millis);
  }

  /** Whether processRecords is called with empty record lists. */
  withCallProcessRecordsEvenForEmptyRecordList(call: boolean): this {
    return this.set('callProcessRecordsEvenForEmptyRecordList', call);
  }

  /** Back-off after a failed task, in milliseconds (integer, 1 to 86400000). */
  withTaskBackoffTimeMillis(millis: number): this {
    return this.set('taskBackoffTimeMillis', millis);
  }

  /** Maximum retries of a failed AWS call (integer, 0 to 100). */
  withMaxRetryCount(maxRetryCount: number): this {
    return this.set('maxRetryCount', maxRetryCount);
  }

  /** Logger for the worker and backends (any object with debug, info, warn, error and child). */
  withLogger(logger: Logger): this {
    return this.set('logger', logger);
  }

  /** Metrics sink. */
  withMonitoringService(monitoringService: MonitoringService): this {
    return this.set('monitoringService', monitoringService);
  }

  /** Turns enhanced fan-out on or off. */
  withEnhancedFanOutConsumer(enable: boolean): this {
    return this.set('enableEnhancedFanOutConsumer', enable);
  }

  /** Name of the fan-out consumer to register (1 to 128 characters); also enables fan-out, as in go-kcl. */
  withEnhancedFanOutConsumerName(consumerName: string): this {
    return this.set('enhancedFanOutConsumerName', consumerName);
  }

  /** ARN of an existing fan-out consumer of this stream; also enables fan-out, as in go-kcl. */
  withEnhancedFanOutConsumerARN(consumerARN: string): this {
    return this.set('enhancedFanOutConsumerARN', consumerARN);
  }

  /** Turns balancing by hand-offs (lease stealing) on or off (on by default). */
  withLeaseStealing(enable: boolean): this {
    return this.set('enableLeaseStealing', enable);
  }

  /** Least time between two balancing rounds of the leader in milliseconds (integer, 1 to 86400000). */
  withLeaseStealingIntervalMillis(millis: number): this {
    return this.set('leaseStealingIntervalMillis', millis);
  }

  /** No effect since fleet coordination (see {@link leaseSyncingTimeIntervalMillis}); integer, 1 to 86400000. */
  withLeaseSyncingIntervalMillis(millis: number): this {
    return this.set('leaseSyncingTimeIntervalMillis', millis);
  }

  /** Upper bound on graceful shutdown in milliseconds (integer, 1 to 86400000). */
  withShutdownGraceMillis(millis: number): this {
    return this.set('shutdownGraceMillis', millis);
  }

  /** After how long a processor call that has not returned is reported as stuck, in milliseconds (1 to 86400000). */
  withLogWarningForTaskAfterMillis(millis: number): this {
    return this.set('logWarningForTaskAfterMillis', millis);
  }

  /** Cap of the growing wait after a processor call threw, in milliseconds (integer, 1 to 86400000). */
  withMaxTaskBackoffTimeMillis(millis: number): this {
    return this.set('maxTaskBackoffTimeMillis', millis);
  }

  /** What to do with a batch whose processRecords keeps throwing (see {@link processorFailurePolicy}). */
  withProcessorFailurePolicy(policy: ProcessorFailurePolicy): this {
    return this.set('processorFailurePolicy', policy);
  }

  /** Give a lease up when a processor call runs longer than this, in milliseconds (0 = off, or 1 to 86400000). */
  withMaxProcessingTimeMillis(millis: number): this {
    return this.set('maxProcessingTimeMillis', millis);
  }

  /** Warn after this many batches without a checkpoint (integer, 0 = off, up to 1000000). */
  withWarnAfterBatchesWithoutCheckpoint(batches: number): this {
    return this.set('warnAfterBatchesWithoutCheckpoint', batches);
  }

  /** Interval of the info-level status line in milliseconds (0 = off, or 1 to 86400000). */
  withStatusLogIntervalMillis(millis: number): this {
    return this.set('statusLogIntervalMillis', millis);
  }

  /** Kinesis endpoint URL (http:// or https://). */
  withKinesisEndpoint(endpoint: string): this {
    return this.set('kinesisEndpoint', endpoint);
  }

  /** DynamoDB endpoint URL (http:// or https://). */
  withDynamoDBEndpoint(endpoint: string): this {
    return this.set('dynamoDBEndpoint', endpoint);
  }

  /** Credentials for Kinesis: static keys or a provider function such as `fromIni()`. */
  withKinesisCredentials(credentials: KclCredentialsSource): this {
    return this.set('kinesisCredentials', credentials);
  }

  /** Credentials for DynamoDB: static keys or a provider function. */
  withDynamoDBCredentials(credentials: KclCredentialsSource): this {
    return this.set('dynamoDBCredentials', credentials);
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
    for (const name of OPTION_NAMES) {
      const spec = OPTION_TABLE[name] as OptionSpec<unknown>;
      const value = this[name];
      if ((value === undefined && spec.optional) || spec.fanOutOnly) continue;
      spec.check(value, this);
    }
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
    if (this.initialPositionInStream === InitialPositionInStream.AT_TIMESTAMP && this.timestampAtInitialPositionInStream === undefined) {
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

/** Throws a ConfigError for a key of an options object that names no option (a typo would otherwise be ignored). */
function rejectUnknownKeys(options: object, identityAllowed: boolean): void {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', options, 'an object of options');
  }
  for (const key of Object.keys(options)) {
    if (OPTION_KEYS.has(key) || (identityAllowed && IDENTITY_KEYS.has(key))) continue;
    const known = [...(identityAllowed ? IDENTITY_KEYS : []), ...OPTION_KEYS];
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
    throw new ConfigError(
      key,
      (options as Record<string, unknown>)[key],
      'a known option',
      near ? `Did you mean "${near}"?` : `Known options: ${known.join(', ')}.`,
    );
  }
}

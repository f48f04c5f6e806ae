// Every with* setter: its default, an accepted value, and rejected values (ConfigError naming option, value, range).
import { ConfigError } from '../src/errors';
import { InitialPositionInStream } from '../src/config/initial-position';
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import type { Logger } from '../src/logger/logger';
import { NoopMonitoringService } from '../src/metrics/monitoring-service';

const newConfig = (): KinesisClientLibConfig => new KinesisClientLibConfig('orders-app', 'orders', 'us-east-1', 'w1');

const ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/orders-app:1525898737';
const customLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => customLogger };
const customMetrics = new (class extends NoopMonitoringService {})();
const staticCreds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' };

type Setter = keyof KinesisClientLibConfig & `with${string}`;
interface OptionCase {
  setter: Setter;
  field: keyof KinesisClientLibConfig;
  defaultValue: unknown;
  good: unknown;
  bad: unknown[];
  /** Text the error's "allowed" part must contain. */
  allowed: string;
}

const millis = (setter: Setter, field: keyof KinesisClientLibConfig, defaultValue: number, good: number): OptionCase => ({
  setter,
  field,
  defaultValue,
  good,
  bad: [0, -1, 1.5, 86_400_001, Number.NaN, '1000', undefined],
  allowed: 'an integer from 1 to 86400000',
});

const cases: OptionCase[] = [
  {
    setter: 'withTableName',
    field: 'tableName',
    defaultValue: 'orders-app',
    good: 'kcl.leases_v2',
    bad: ['ab', 'a b', 'x'.repeat(256), '', 'tbl/1'],
    allowed: '3 to 255 characters',
  },
  {
    setter: 'withInitialPositionInStream',
    field: 'initialPositionInStream',
    defaultValue: InitialPositionInStream.LATEST,
    good: InitialPositionInStream.TRIM_HORIZON,
    bad: [0, 4, 'LATEST', undefined],
    allowed: 'InitialPositionInStream.LATEST',
  },
  {
    setter: 'withTimestampAtInitialPositionInStream',
    field: 'timestampAtInitialPositionInStream',
    defaultValue: undefined,
    good: new Date('2024-05-01T00:00:00Z'),
    bad: [new Date('not a date'), '2024-05-01', 1714521600000, null],
    allowed: 'a valid Date',
  },
  millis('withFailoverTimeMillis', 'failoverTimeMillis', 10_000, 20_000),
  millis('withLeaseRefreshPeriodMillis', 'leaseRefreshPeriodMillis', 5_000, 1_000),
  millis('withShardSyncIntervalMillis', 'shardSyncIntervalMillis', 60_000, 500),
  {
    setter: 'withMaxRecords',
    field: 'maxRecords',
    defaultValue: 10_000,
    good: 100,
    bad: [0, 10_001, 2.5, -3, '100'],
    allowed: 'an integer from 1 to 10000',
  },
  {
    setter: 'withMaxLeasesForWorker',
    field: 'maxLeasesForWorker',
    defaultValue: 32_767,
    good: 4,
    bad: [0, -5, 1.1, 1_000_001, Infinity],
    allowed: 'an integer from 1 to 1000000',
  },
  millis('withIdleTimeBetweenReadsInMillis', 'idleTimeBetweenReadsInMillis', 1_000, 50),
  {
    setter: 'withCallProcessRecordsEvenForEmptyRecordList',
    field: 'callProcessRecordsEvenForEmptyRecordList',
    defaultValue: false,
    good: true,
    bad: ['true', 1, undefined],
    allowed: 'true or false',
  },
  millis('withTaskBackoffTimeMillis', 'taskBackoffTimeMillis', 500, 20),
  { setter: 'withMaxRetryCount', field: 'maxRetryCount', defaultValue: 5, good: 0, bad: [-1, 101, 2.5, '3'], allowed: 'an integer from 0 to 100' },
  {
    setter: 'withLogger',
    field: 'logger',
    defaultValue: expect.objectContaining({ child: expect.any(Function) }),
    good: customLogger,
    bad: [{}, null, { info() {} }, 'console'],
    allowed: 'debug, info, warn, error, child',
  },
  {
    setter: 'withMonitoringService',
    field: 'monitoringService',
    defaultValue: expect.any(NoopMonitoringService),
    good: customMetrics,
    bad: [{}, null, { init() {}, start() {} }],
    allowed: 'MonitoringService',
  },
  {
    setter: 'withEnhancedFanOutConsumer',
    field: 'enableEnhancedFanOutConsumer',
    defaultValue: false,
    good: true,
    bad: ['yes', 0],
    allowed: 'true or false',
  },
  {
    setter: 'withEnhancedFanOutConsumerName',
    field: 'enhancedFanOutConsumerName',
    defaultValue: 'orders-app',
    good: 'orders-efo.1',
    bad: ['', 'c'.repeat(129), 'bad name', 42],
    allowed: '1 to 128 characters',
  },
  {
    setter: 'withEnhancedFanOutConsumerARN',
    field: 'enhancedFanOutConsumerARN',
    defaultValue: undefined,
    good: ARN,
    bad: [
      '',
      'not-an-arn',
      'arn:aws:kinesis:us-east-1:1234:stream/orders/consumer/c:1', // account id not 12 digits
      'arn:aws:kinesis:us-east-1:123456789012:stream/orders', // a stream ARN, not a consumer ARN
      'arn:aws:sqs:us-east-1:123456789012:stream/orders/consumer/c:1',
    ],
    allowed: 'a Kinesis stream consumer ARN',
  },
  { setter: 'withLeaseStealing', field: 'enableLeaseStealing', defaultValue: true, good: false, bad: ['false', null], allowed: 'true or false' },
  millis('withLeaseStealingIntervalMillis', 'leaseStealingIntervalMillis', 5_000, 200),
  millis('withLeaseSyncingIntervalMillis', 'leaseSyncingTimeIntervalMillis', 60_000, 300),
  millis('withShutdownGraceMillis', 'shutdownGraceMillis', 30_000, 1_000),
  millis('withMaxTaskBackoffTimeMillis', 'maxTaskBackoffTimeMillis', 30_000, 1_000),
  {
    setter: 'withMaxProcessingTimeMillis',
    field: 'maxProcessingTimeMillis',
    defaultValue: 0,
    good: 120_000,
    bad: [-1, 1.5, 86_400_001, '1000', undefined],
    allowed: 'an integer from 0 to 86400000',
  },
  {
    setter: 'withWarnAfterBatchesWithoutCheckpoint',
    field: 'warnAfterBatchesWithoutCheckpoint',
    defaultValue: 100,
    good: 0,
    bad: [-1, 2.5, 1_000_001, '5', null],
    allowed: 'an integer from 0 to 1000000',
  },
  {
    setter: 'withMaxConcurrentGetRecords',
    field: 'maxConcurrentGetRecords',
    defaultValue: 64,
    good: 1,
    bad: [0, -1, 2.5, 10_001, '64', null],
    allowed: 'an integer from 1 to 10000',
  },
  {
    setter: 'withStatusLogIntervalMillis',
    field: 'statusLogIntervalMillis',
    defaultValue: 60_000,
    good: 0,
    bad: [-1, 1.5, 86_400_001, '1000', undefined],
    allowed: 'an integer from 0 to 86400000',
  },
  {
    setter: 'withKinesisEndpoint',
    field: 'kinesisEndpoint',
    defaultValue: undefined,
    good: 'http://127.0.0.1:4567',
    bad: ['', '127.0.0.1:4567', 'ftp://127.0.0.1', 'http://', ' http://127.0.0.1:1', 'http://user:pw@127.0.0.1:1'],
    allowed: 'http:// or https:// URL',
  },
  {
    setter: 'withDynamoDBEndpoint',
    field: 'dynamoDBEndpoint',
    defaultValue: undefined,
    good: 'https://dynamodb.eu-west-1.amazonaws.com',
    bad: ['', 'localhost', 'redis://127.0.0.1:6379', 42],
    allowed: 'http:// or https:// URL',
  },
  {
    setter: 'withKinesisCredentials',
    field: 'kinesisCredentials',
    defaultValue: undefined,
    good: staticCreds,
    bad: [null, 'AKID:secret', { accessKeyId: '', secretAccessKey: 's' }, { accessKeyId: 'a' }, { ...staticCreds, sessionToken: 5 }],
    allowed: 'accessKeyId, secretAccessKey',
  },
  {
    setter: 'withDynamoDBCredentials',
    field: 'dynamoDBCredentials',
    defaultValue: undefined,
    good: async () => staticCreds,
    bad: [undefined, { secretAccessKey: 'x' }, 12],
    allowed: 'accessKeyId, secretAccessKey',
  },
];

const call = (config: KinesisClientLibConfig, setter: Setter, value: unknown): unknown =>
  (config[setter] as (v: unknown) => unknown).call(config, value);

describe.each(cases)('$setter', ({ setter, field, defaultValue, good, bad, allowed }) => {
  it(`defaults ${String(field)}`, () => {
    expect(newConfig()[field]).toEqual(defaultValue);
  });

  it(`sets ${String(field)} and returns the same config`, () => {
    const config = newConfig();
    expect(call(config, setter, good)).toBe(config);
    expect(config[field]).toEqual(good);
    expect(() => config.validate()).not.toThrow();
  });

  it.each(bad.map((value) => [value]))('rejects %p with a ConfigError and keeps the old value', (value) => {
    const config = newConfig();
    const before = config[field];
    let thrown: unknown;
    try {
      call(config, setter, value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const error = thrown as ConfigError;
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain(error.option);
    expect(error.allowed).toContain(allowed);
    expect(error.message).toContain(allowed);
    expect(config[field]).toBe(before);
  });
});

describe('withProcessorFailurePolicy', () => {
  it('defaults to retry forever, accepts skip / releaseLease with maxAttempts and keeps a frozen copy', () => {
    expect(newConfig().processorFailurePolicy).toEqual({ action: 'retry' });
    const policy = { action: 'skip' as const, maxAttempts: 5 };
    const config = newConfig();
    expect(config.withProcessorFailurePolicy(policy)).toBe(config);
    policy.maxAttempts = 1;
    expect(config.processorFailurePolicy).toEqual({ action: 'skip', maxAttempts: 5 });
    expect(Object.isFrozen(config.processorFailurePolicy)).toBe(true);
    expect(newConfig().withProcessorFailurePolicy({ action: 'releaseLease', maxAttempts: 1 }).processorFailurePolicy.action).toBe('releaseLease');
    expect(newConfig().withProcessorFailurePolicy({ action: 'retry' }).validate().processorFailurePolicy).toEqual({ action: 'retry' });
  });

  it.each([
    [null, 'processorFailurePolicy', "{ action: 'retry' }"],
    ['skip', 'processorFailurePolicy', "{ action: 'retry' }"],
    [{ action: 'dlq', maxAttempts: 3 }, 'processorFailurePolicy.action', "one of 'retry', 'skip', 'releaseLease'"],
    [{ action: 'skip' }, 'processorFailurePolicy.maxAttempts', 'an integer from 1 to 1000000'],
    [{ action: 'releaseLease', maxAttempts: 0 }, 'processorFailurePolicy.maxAttempts', 'an integer from 1 to 1000000'],
    [{ action: 'skip', maxAttempts: 2.5 }, 'processorFailurePolicy.maxAttempts', 'an integer from 1 to 1000000'],
    [{ action: 'retry', maxAttempts: 3 }, 'processorFailurePolicy.maxAttempts', 'no value with action "retry"'],
  ])('rejects %p with a ConfigError naming %s', (value, option, allowed) => {
    const config = newConfig();
    let thrown: unknown;
    try {
      config.withProcessorFailurePolicy(value as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).option).toBe(option);
    expect((thrown as ConfigError).message).toContain(allowed);
    expect(config.processorFailurePolicy).toEqual({ action: 'retry' });
  });

  it('validate() checks a policy assigned directly', () => {
    const config = newConfig();
    config.processorFailurePolicy = { action: 'skip', maxAttempts: -1 };
    expect(() => config.validate()).toThrow(/processorFailurePolicy\.maxAttempts/);
  });
});

describe('withCredentials', () => {
  it('defaults both credentials to undefined (SDK default chain) and sets both', () => {
    const config = newConfig();
    expect(config.kinesisCredentials).toBeUndefined();
    expect(config.dynamoDBCredentials).toBeUndefined();
    expect(config.withCredentials(staticCreds)).toBe(config);
    expect(config.kinesisCredentials).toBe(staticCreds);
    expect(config.dynamoDBCredentials).toBe(staticCreds);
  });

  it('rejects bad credentials without echoing the secret', () => {
    const config = newConfig();
    const bad = { accessKeyId: 'AKID', secretAccessKey: 'TOP-SECRET', sessionToken: '' };
    expect(() => config.withCredentials(bad)).toThrow(ConfigError);
    expect(() => config.withCredentials(bad)).toThrow(/credentials/);
    try {
      config.withCredentials(bad);
    } catch (error) {
      expect((error as Error).message).not.toContain('TOP-SECRET');
      expect((error as ConfigError).value).not.toBe(bad);
    }
    expect(config.kinesisCredentials).toBeUndefined();
  });
});

describe('setter side effects (as go-kcl)', () => {
  it('withEnhancedFanOutConsumerARN and withEnhancedFanOutConsumerName enable fan-out', () => {
    expect(newConfig().withEnhancedFanOutConsumerARN(ARN).enableEnhancedFanOutConsumer).toBe(true);
    expect(newConfig().withEnhancedFanOutConsumerName('x').enableEnhancedFanOutConsumer).toBe(true);
    expect(newConfig().withEnhancedFanOutConsumerARN(ARN).withEnhancedFanOutConsumer(false).enableEnhancedFanOutConsumer).toBe(false);
  });

  it('withTimestampAtInitialPositionInStream selects AT_TIMESTAMP and keeps its own copy of the date', () => {
    const date = new Date('2024-05-01T00:00:00Z');
    const config = newConfig().withTimestampAtInitialPositionInStream(date);
    expect(config.initialPositionInStream).toBe(InitialPositionInStream.AT_TIMESTAMP);
    date.setUTCFullYear(2030);
    expect(config.timestampAtInitialPositionInStream?.toISOString()).toBe('2024-05-01T00:00:00.000Z');
  });

  it('withInitialPositionInStream clears the timestamp unless the position is AT_TIMESTAMP', () => {
    const date = new Date('2024-05-01T00:00:00Z');
    const kept = newConfig().withTimestampAtInitialPositionInStream(date).withInitialPositionInStream(InitialPositionInStream.AT_TIMESTAMP);
    expect(kept.timestampAtInitialPositionInStream).toEqual(date);
    const cleared = newConfig().withTimestampAtInitialPositionInStream(date).withInitialPositionInStream(InitialPositionInStream.LATEST);
    expect(cleared.timestampAtInitialPositionInStream).toBeUndefined();
    expect(cleared.initialPositionInStream).toBe(InitialPositionInStream.LATEST);
  });

  it('an error message names option, value and allowed range', () => {
    expect(() => newConfig().withMaxRecords(20_000)).toThrow('Invalid value for maxRecords: 20000. Allowed: an integer from 1 to 10000.');
  });
});

/**
 * Bad-input matrix, part 1: every config option with an out-of-range value, every lease-store option with one, and
 * invalid Redis address / URL forms. Each must throw a ConfigError (a KclError with code INVALID_CONFIG) that names
 * the option - at once in the setter or constructor, and again in validate() when a field was assigned directly.
 */
import { DynamoCheckpoint, type DynamoCheckpointOptions } from '@kcl/checkpoint-dynamodb';
import { RedisCheckpoint, type RedisCheckpointOptions } from '@kcl/checkpoint-redis';
import { ConfigError, InitialPositionInStream, isKclError, KinesisClientLibConfig } from '@kcl/core';

function config(): KinesisClientLibConfig {
  return new KinesisClientLibConfig('chaos-app', 'chaos-stream', 'us-east-1', 'w1');
}

/** Runs `fn` and returns the ConfigError it threw (fails the test if it threw anything else or nothing). */
function configError(fn: () => unknown): ConfigError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof ConfigError))
    throw new Error(`expected a ConfigError, got ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`);
  expect(isKclError(thrown) && thrown.code).toBe('INVALID_CONFIG');
  return thrown;
}

type Setter = (c: KinesisClientLibConfig, value: never) => unknown;

/** [option name, setter, bad values]: every numeric, boolean, name, URL and object option of the config. */
const SETTER_CASES: Array<[string, Setter, unknown[]]> = [
  ['failoverTimeMillis', (c, v) => c.withFailoverTimeMillis(v), [0, -1, 1.5, Number.NaN, 86_400_001, '1000']],
  ['leaseRefreshPeriodMillis', (c, v) => c.withLeaseRefreshPeriodMillis(v), [0, -5, 2.5, 86_400_001]],
  ['shardSyncIntervalMillis', (c, v) => c.withShardSyncIntervalMillis(v), [0, Number.POSITIVE_INFINITY]],
  ['maxRecords', (c, v) => c.withMaxRecords(v), [0, 10_001, 3.3]],
  ['maxLeasesForWorker', (c, v) => c.withMaxLeasesForWorker(v), [0, -1, 1_000_001]],
  ['idleTimeBetweenReadsInMillis', (c, v) => c.withIdleTimeBetweenReadsInMillis(v), [0, -100]],
  ['callProcessRecordsEvenForEmptyRecordList', (c, v) => c.withCallProcessRecordsEvenForEmptyRecordList(v), ['yes', 1, null]],
  ['taskBackoffTimeMillis', (c, v) => c.withTaskBackoffTimeMillis(v), [0, 86_400_001]],
  ['maxRetryCount', (c, v) => c.withMaxRetryCount(v), [-1, 101, 0.5]],
  ['enableEnhancedFanOutConsumer', (c, v) => c.withEnhancedFanOutConsumer(v), ['true', 0]],
  ['enhancedFanOutConsumerName', (c, v) => c.withEnhancedFanOutConsumerName(v), ['', 'has space', 'x'.repeat(129)]],
  ['enhancedFanOutConsumerARN', (c, v) => c.withEnhancedFanOutConsumerARN(v), ['', 'arn:aws:kinesis:us-east-1:123:stream/s', 'not-an-arn']],
  ['enableLeaseStealing', (c, v) => c.withLeaseStealing(v), ['false', undefined]],
  ['leaseStealingIntervalMillis', (c, v) => c.withLeaseStealingIntervalMillis(v), [0, -1]],
  ['leaseSyncingTimeIntervalMillis', (c, v) => c.withLeaseSyncingIntervalMillis(v), [0, 1e12]],
  ['shutdownGraceMillis', (c, v) => c.withShutdownGraceMillis(v), [0, -1, 2.2]],
  ['logWarningForTaskAfterMillis', (c, v) => c.withLogWarningForTaskAfterMillis(v), [0, -1, 86_400_001, 'soon']],
  ['tableName', (c, v) => c.withTableName(v), ['ab', '', 'bad name', 'x'.repeat(256)]],
  ['initialPositionInStream', (c, v) => c.withInitialPositionInStream(v), ['NOW', 7, undefined]],
  ['timestampAtInitialPositionInStream', (c, v) => c.withTimestampAtInitialPositionInStream(v), [new Date(Number.NaN), '2024-01-01', 0]],
  ['kinesisEndpoint', (c, v) => c.withKinesisEndpoint(v), ['', 'ftp://127.0.0.1', 'not a url', ' http://x', 'http://user:pw@127.0.0.1']],
  ['dynamoDBEndpoint', (c, v) => c.withDynamoDBEndpoint(v), ['', '127.0.0.1:8000', 'mailto:x@y']],
  ['kinesisCredentials', (c, v) => c.withKinesisCredentials(v), [{}, null, 'AKIA', { accessKeyId: 'a' }]],
  ['dynamoDBCredentials', (c, v) => c.withDynamoDBCredentials(v), [{ secretAccessKey: 's' }, 42]],
  ['credentials', (c, v) => c.withCredentials(v), [{ accessKeyId: '', secretAccessKey: '' }, []]],
  ['logger', (c, v) => c.withLogger(v), [{}, null, { info: () => undefined }]],
  ['monitoringService', (c, v) => c.withMonitoringService(v), [{}, null, { init: () => undefined }]],
];

describe('KinesisClientLibConfig setters reject every out-of-range value with a ConfigError naming the option', () => {
  test.each(SETTER_CASES)('%s', (option, setter, values) => {
    for (const value of values) {
      const error = configError(() => setter(config(), value as never));
      expect(error.option).toBe(option);
      expect(error.message).toContain(`Invalid value for ${option}`);
      expect(error.allowed.length).toBeGreaterThan(0);
    }
  });
});

describe('the constructor and validate()', () => {
  test('bad application, stream, region and worker id', () => {
    expect(configError(() => new KinesisClientLibConfig('', 's', 'us-east-1')).option).toBe('applicationName');
    expect(configError(() => new KinesisClientLibConfig('app name', 's', 'us-east-1')).option).toBe('applicationName');
    expect(configError(() => new KinesisClientLibConfig('app', 's/t', 'us-east-1')).option).toBe('streamName');
    expect(configError(() => new KinesisClientLibConfig('app', 's', 'moon-1')).option).toBe('regionName');
    expect(configError(() => new KinesisClientLibConfig('app', 's', 'us-east-1', 'w\u0000')).option).toBe('workerId');
  });

  test('a field assigned directly is checked again by validate() (the worker calls it in start())', () => {
    const direct: Array<[keyof KinesisClientLibConfig, unknown]> = [
      ['failoverTimeMillis', -1],
      ['maxRecords', 20_000],
      ['maxRetryCount', 1_000],
      ['shutdownGraceMillis', 0],
      ['workerId', ''],
      ['tableName', 'x'],
      ['leaseStealingIntervalMillis', 0.5],
      ['logWarningForTaskAfterMillis', 0],
    ];
    for (const [field, value] of direct) {
      const c = config();
      (c as unknown as Record<string, unknown>)[field] = value;
      expect(configError(() => c.validate()).option).toBe(field);
    }
  });

  test('options checked against each other: refresh >= failover, AT_TIMESTAMP without a timestamp', () => {
    const refresh = configError(() => config().withFailoverTimeMillis(1_000).withLeaseRefreshPeriodMillis(1_000).validate());
    expect(refresh.option).toBe('leaseRefreshPeriodMillis');
    expect(refresh.message).toMatch(/less than failoverTimeMillis \(1000\)/);
    const c = config();
    c.initialPositionInStream = InitialPositionInStream.AT_TIMESTAMP;
    expect(configError(() => c.validate()).option).toBe('timestampAtInitialPositionInStream');
  });
});

describe('lease-store options out of range', () => {
  const dynamoCases: Array<[string, DynamoCheckpointOptions]> = [
    ['billingMode', { billingMode: 'FREE' as never }],
    ['readCapacityUnits', { readCapacityUnits: 5 }],
    ['readCapacityUnits', { billingMode: 'PROVISIONED', readCapacityUnits: 0 }],
    ['writeCapacityUnits', { billingMode: 'PROVISIONED', writeCapacityUnits: 1.5 }],
    ['tableActiveTimeoutMillis', { tableActiveTimeoutMillis: 0 }],
    ['maxAttempts', { maxAttempts: 0 }],
    ['maxAttempts', { maxAttempts: 21 }],
    ['connectionTimeoutMillis', { connectionTimeoutMillis: -1 }],
    ['requestTimeoutMillis', { requestTimeoutMillis: 600_001 }],
    ['scanPageSize', { scanPageSize: 0 }],
    ['createTable', { createTable: 'yes' as never }],
  ];
  test.each(dynamoCases)('DynamoCheckpoint %s', (option, options) => {
    expect(configError(() => new DynamoCheckpoint(config(), options)).option).toBe(option);
  });

  const redisCases: Array<[string, RedisCheckpointOptions]> = [
    ['db', { address: '127.0.0.1:6379', db: 16 }],
    ['db', { address: '127.0.0.1:6379', db: -1 }],
    ['keyPrefix', { address: '127.0.0.1:6379', keyPrefix: '' }],
    ['hashTag', { address: '127.0.0.1:6379', hashTag: 'sometimes' as never }],
    ['connectTimeoutMillis', { address: '127.0.0.1:6379', connectTimeoutMillis: -1 }],
    ['commandTimeoutMillis', { address: '127.0.0.1:6379', commandTimeoutMillis: 1.5 }],
    ['scanCount', { address: '127.0.0.1:6379', scanCount: 0 }],
    ['password', { address: '127.0.0.1:6379', password: '' }],
    ['username', { address: '127.0.0.1:6379', username: '' }],
    ['tls', { address: 'rediss://127.0.0.1:6380', tls: false }],
    ['tls.minVersion', { address: '127.0.0.1:6379', tls: { minVersion: 'TLSv1.1' as never } }],
    ['client', { client: {} as never }],
    ['address', {}],
  ];
  test.each(redisCases)('RedisCheckpoint %s', (option, options) => {
    expect(configError(() => new RedisCheckpoint(config(), options)).option).toBe(option);
  });
});

describe('invalid Redis address and URL forms', () => {
  const BAD_ADDRESSES = [
    '',
    ' ',
    'localhost',
    '127.0.0.1:',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '127.0.0.1:port',
    ':6379',
    '[::1',
    '::1:6379',
    'http://127.0.0.1:6379',
    'tcp://127.0.0.1:6379',
    'redis://',
    'redis://127.0.0.1:99999',
    'redis://127.0.0.1:6379/16',
    'redis://127.0.0.1:6379/x',
    'redis://127.0.0.1:6379/0?foo',
    'redis://127.0.0.1 :6379',
  ];
  test.each(BAD_ADDRESSES.map((a) => [JSON.stringify(a), a]))('%s is rejected with a ConfigError naming `address`', (_label, address) => {
    const error = configError(() => new RedisCheckpoint(config(), { address }));
    expect(error.option).toBe('address');
  });

  test('a password in a bad URL is never shown in the error', () => {
    const error = configError(() => new RedisCheckpoint(config(), { address: 'redis://:s3cret-pw@127.0.0.1:99999' }));
    expect(error.message).not.toContain('s3cret-pw');
    expect(String(error.value)).not.toContain('s3cret-pw');
  });

  test('valid forms are accepted (no connection is made before init())', () => {
    for (const address of ['127.0.0.1:6379', '[::1]:6379', 'redis://127.0.0.1', 'redis://:pw@127.0.0.1:6380/3', 'rediss://cache.example.com:6380']) {
      expect(() => new RedisCheckpoint(config(), { address })).not.toThrow();
    }
  });
});

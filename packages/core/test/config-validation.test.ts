// Constructor arguments, the workerId default, and validate()'s re-checks and cross-field checks.
import { ConfigError } from '../src/errors';
import { InitialPositionInStream } from '../src/config/initial-position';
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import { KCL_CONFIG_DEFAULTS } from '../src/config/defaults';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/orders-app:1525898737';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('constructor', () => {
  it('keeps its arguments and derives table and consumer names from the application name', () => {
    const config = new KinesisClientLibConfig('orders-app', 'orders', 'eu-west-2', 'worker-1');
    expect(config).toMatchObject({
      applicationName: 'orders-app',
      streamName: 'orders',
      regionName: 'eu-west-2',
      workerId: 'worker-1',
      tableName: 'orders-app',
      enhancedFanOutConsumerName: 'orders-app',
    });
  });

  it.each([[undefined], [''], ['   ']])('gives a random UUID worker id for %p', (workerId) => {
    const a = new KinesisClientLibConfig('app', 'stream', 'us-east-1', workerId);
    const b = new KinesisClientLibConfig('app', 'stream', 'us-east-1', workerId);
    expect(a.workerId).toMatch(UUID);
    expect(b.workerId).toMatch(UUID);
    expect(a.workerId).not.toBe(b.workerId);
  });

  it('accepts AWS partitions other than aws in the region name', () => {
    for (const region of ['us-gov-west-1', 'cn-northwest-1', 'ap-southeast-5', 'us-iso-east-1']) {
      expect(new KinesisClientLibConfig('app', 'stream', region).regionName).toBe(region);
    }
  });

  it.each<[string, unknown[]]>([
    ['applicationName', ['', 'my app', 'a'.repeat(256), 'app/1', undefined]],
    ['streamName', ['', 's'.repeat(129), 'orders:1', null]],
    ['regionName', ['', 'US-EAST-1', 'useast1', 'us-east', 'local', 'us-east-1 ']],
    ['workerId', ['w'.repeat(257), 'worker\n1', 42]],
  ])('rejects a bad %s', (option, values) => {
    for (const value of values) {
      const args: unknown[] = ['app', 'stream', 'us-east-1', 'w1'];
      args[['applicationName', 'streamName', 'regionName', 'workerId'].indexOf(option)] = value;
      const ctor = KinesisClientLibConfig as unknown as new (...a: unknown[]) => KinesisClientLibConfig;
      const error = configError(() => new ctor(...args));
      expect(error.option).toBe(option);
      expect(error.value).toBe(value);
    }
  });
});

describe('validate()', () => {
  const base = (): KinesisClientLibConfig => new KinesisClientLibConfig('orders-app', 'orders', 'us-east-1', 'w1');

  it('accepts the defaults and returns the config', () => {
    const config = base();
    expect(config.validate()).toBe(config);
  });

  it('exposes the defaults it uses', () => {
    const config = base();
    for (const [key, value] of Object.entries(KCL_CONFIG_DEFAULTS)) {
      expect(config[key as keyof KinesisClientLibConfig]).toBe(value);
    }
  });

  it('requires leaseRefreshPeriodMillis < failoverTimeMillis and says how to fix it', () => {
    const config = base().withFailoverTimeMillis(4_000).withLeaseRefreshPeriodMillis(4_000);
    const error = configError(() => config.validate());
    expect(error.option).toBe('leaseRefreshPeriodMillis');
    expect(error.message).toContain('less than failoverTimeMillis (4000)');
    expect(error.message).toContain('withFailoverTimeMillis');
    expect(() => config.withLeaseRefreshPeriodMillis(2_000).validate()).not.toThrow();
  });

  it('requires a timestamp for AT_TIMESTAMP', () => {
    const config = base().withInitialPositionInStream(InitialPositionInStream.AT_TIMESTAMP);
    const error = configError(() => config.validate());
    expect(error.option).toBe('timestampAtInitialPositionInStream');
    expect(error.message).toContain('withTimestampAtInitialPositionInStream');
    expect(() => config.withTimestampAtInitialPositionInStream(new Date()).validate()).not.toThrow();
  });

  it('requires the consumer ARN to belong to the configured stream when fan-out is on', () => {
    const other = 'arn:aws:kinesis:us-east-1:123456789012:stream/payments/consumer/c:1525898737';
    const error = configError(() => base().withEnhancedFanOutConsumerARN(other).validate());
    expect(error.option).toBe('enhancedFanOutConsumerARN');
    expect(error.message).toContain('"payments"');
    expect(() => base().withEnhancedFanOutConsumerARN(ARN).validate()).not.toThrow();
    expect(() => base().withEnhancedFanOutConsumerARN(other).withEnhancedFanOutConsumer(false).validate()).not.toThrow();
  });

  it('checks a table name defaulted from a short application name, with a hint', () => {
    const config = new KinesisClientLibConfig('ab', 'orders', 'us-east-1');
    const error = configError(() => config.validate());
    expect(error.option).toBe('tableName');
    expect(error.message).toContain('withTableName');
    expect(() => config.withTableName('ab-leases').validate()).not.toThrow();
  });

  it('checks a consumer name defaulted from a long application name only when fan-out is on', () => {
    const config = new KinesisClientLibConfig('a'.repeat(200), 'orders', 'us-east-1');
    expect(() => config.validate()).not.toThrow();
    config.withEnhancedFanOutConsumer(true);
    const error = configError(() => config.validate());
    expect(error.option).toBe('enhancedFanOutConsumerName');
    expect(error.message).toContain('withEnhancedFanOutConsumerName');
    expect(() => config.withEnhancedFanOutConsumerName('short').validate()).not.toThrow();
  });

  it.each<[keyof KinesisClientLibConfig, unknown]>([
    ['maxRecords', 0],
    ['failoverTimeMillis', -5],
    ['maxRetryCount', 1.5],
    ['regionName', 'nowhere'],
    ['tableName', 'x'],
    ['kinesisEndpoint', 'not a url'],
    ['enableLeaseStealing', 'yes'],
    ['logger', undefined],
    ['initialPositionInStream', 7],
  ])('re-checks %s assigned directly', (field, value) => {
    const config = base();
    (config as unknown as Record<string, unknown>)[field] = value;
    const error = configError(() => config.validate());
    expect(error.option).toBe(field);
  });
});

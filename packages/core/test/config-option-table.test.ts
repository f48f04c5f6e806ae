/**
 * The option table (src/config/option-table.ts) is the one source of each option's default, check, setter and README
 * row: these tests fail when the README, the setters, the defaults or the options object drift from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../src/errors';
import { KCL_CONFIG_DEFAULTS } from '../src/config/defaults';
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import { InitialPositionInStream } from '../src/config/initial-position';
import { OPTION_NAMES, OPTION_TABLE } from '../src/config/option-table';
import { OPTIONS_TABLE_END, OPTIONS_TABLE_START, renderOptionsTable } from '../src/config/option-docs';
import { NoopMonitoringService } from '../src/metrics/monitoring-service';

const base = () => new KinesisClientLibConfig('app', 'stream', 'us-east-1', 'w1');

test('the README options table is the one rendered from the option table (pnpm --filter @kcl/core docs:config)', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const start = readme.indexOf(OPTIONS_TABLE_START);
  const end = readme.indexOf(OPTIONS_TABLE_END);
  expect(start).toBeGreaterThan(0);
  expect(readme.slice(start + OPTIONS_TABLE_START.length, end).trim()).toBe(renderOptionsTable());
});

test('every option of the table has its setter on the config, and every setter is in the table', () => {
  const proto = KinesisClientLibConfig.prototype as unknown as Record<string, unknown>;
  for (const name of OPTION_NAMES)
    expect(`${OPTION_TABLE[name].setter}: ${typeof proto[OPTION_TABLE[name].setter]}`).toBe(`${OPTION_TABLE[name].setter}: function`);
  const setters = Object.getOwnPropertyNames(KinesisClientLibConfig.prototype).filter((n) => n.startsWith('with'));
  const fromTable = new Set(OPTION_NAMES.map((n) => OPTION_TABLE[n].setter));
  expect(setters.filter((s) => !fromTable.has(s)).sort()).toEqual(['withCredentials', 'withOptions']);
});

test('a fresh config holds every default of the table, and KCL_CONFIG_DEFAULTS lists exactly the constant ones', () => {
  const config = base() as unknown as Record<string, unknown>;
  for (const name of OPTION_NAMES) {
    const spec = OPTION_TABLE[name];
    if (spec.default !== undefined) expect([name, config[name]]).toEqual([name, spec.default]);
  }
  expect(config['tableName']).toBe('app');
  expect(config['enhancedFanOutConsumerName']).toBe('app');
  expect(config['monitoringService']).toBeInstanceOf(NoopMonitoringService);
  expect(Object.keys(KCL_CONFIG_DEFAULTS).sort()).toEqual(OPTION_NAMES.filter((n) => OPTION_TABLE[n].default !== undefined).sort());
});

test('an options object builds the same config as the constructor and the setters', () => {
  const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
  const at = new Date('2026-01-02T03:04:05Z');
  const fromSetters = base()
    .withTableName('leases')
    .withTimestampAtInitialPositionInStream(at)
    .withFailoverTimeMillis(20_000)
    .withLeaseRefreshPeriodMillis(4_000)
    .withMaxRecords(500)
    .withIdleTimeBetweenReadsInMillis(250)
    .withLeaseStealing(false)
    .withEnhancedFanOutConsumerName('fan')
    .withProcessorFailurePolicy({ action: 'skip', maxAttempts: 3 })
    .withKinesisEndpoint('http://127.0.0.1:4567')
    .withCredentials(credentials);
  const fromObject = new KinesisClientLibConfig({
    applicationName: 'app',
    streamName: 'stream',
    regionName: 'us-east-1',
    workerId: 'w1',
    tableName: 'leases',
    timestampAtInitialPositionInStream: at,
    failoverTimeMillis: 20_000,
    leaseRefreshPeriodMillis: 4_000,
    maxRecords: 500,
    idleTimeBetweenReadsInMillis: 250,
    enableLeaseStealing: false,
    enhancedFanOutConsumerName: 'fan',
    processorFailurePolicy: { action: 'skip', maxAttempts: 3 },
    kinesisEndpoint: 'http://127.0.0.1:4567',
    credentials,
  });
  const plain = (c: KinesisClientLibConfig) => ({ ...c, logger: undefined, monitoringService: undefined });
  expect(plain(fromObject)).toEqual(plain(fromSetters));
  // The setters' side effects apply to the options object too.
  expect(fromObject.initialPositionInStream).toBe(InitialPositionInStream.AT_TIMESTAMP);
  expect(fromObject.enableEnhancedFanOutConsumer).toBe(true);
  expect(fromObject.dynamoDBCredentials).toBe(credentials);
  expect(new KinesisClientLibConfig({ applicationName: 'app', streamName: 's', regionName: 'us-east-1' }).workerId).toMatch(/^[0-9a-f-]{36}$/);
});

test('an options object with an unknown key or a bad value throws a ConfigError naming the key', () => {
  const make = (extra: Record<string, unknown>) => () =>
    new KinesisClientLibConfig({ applicationName: 'app', streamName: 's', regionName: 'us-east-1', ...extra });
  expect(make({ failoverTimeMilis: 1 })).toThrow(ConfigError);
  expect(make({ FailoverTimeMillis: 1 })).toThrow(
    expect.objectContaining({
      code: 'INVALID_CONFIG',
      option: 'FailoverTimeMillis',
      message: expect.stringContaining('Did you mean "failoverTimeMillis"?'),
    }) as Error,
  );
  expect(make({ maxRecords: 20_000 })).toThrow(/maxRecords: 20000/);
  expect(() => base().withOptions({ maxRetryCount: -1 })).toThrow(/maxRetryCount/);
});

test('validate() checks every option of the table when its field was assigned directly', () => {
  for (const name of OPTION_NAMES) {
    if (OPTION_TABLE[name].fanOutOnly) continue;
    const config = base() as unknown as Record<string, unknown>;
    config[name] = Symbol('not an option value');
    expect(() => (config as unknown as KinesisClientLibConfig).validate()).toThrow(expect.objectContaining({ option: name }) as Error);
  }
});

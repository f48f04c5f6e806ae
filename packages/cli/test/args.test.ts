import { parseCommandLine, type CliOptions } from '../src/args';
import { CliUsageError, EXIT_CODES } from '../src/errors';
import { kcl } from './helpers';

function usageError(argv: string[], env: NodeJS.ProcessEnv = { AWS_REGION: 'us-east-1' }): CliUsageError {
  try {
    parseCommandLine(argv, env);
  } catch (error) {
    if (error instanceof CliUsageError) return error;
    throw error;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

const base = ['--app', 'orders', '--stream', 'orders-stream'];

test('defaults of every option', () => {
  const options = parseCommandLine(['leases', ...base], { AWS_REGION: 'eu-west-1' }) as CliOptions;
  expect(options).toEqual({
    command: 'leases',
    app: 'orders',
    stream: 'orders-stream',
    store: 'dynamodb',
    table: 'orders',
    region: 'eu-west-1',
    endpoint: undefined,
    redisUrl: 'redis://127.0.0.1:6379',
    keyPrefix: 'kcl',
    kinesisEndpoint: undefined,
    json: false,
    failoverMillis: 10_000,
    observeMillis: 0,
    shard: undefined,
    to: undefined,
    force: false,
  });
});

test('reset targets: sentinels and sequence numbers; --flag=value works', () => {
  const reset = (to: string) => (parseCommandLine(['reset', ...base, '--shard', 's', `--to=${to}`], { AWS_REGION: 'x' }) as CliOptions).to;
  expect(reset('TRIM_HORIZON')).toBe('TRIM_HORIZON');
  expect(reset('LATEST')).toBe('LATEST');
  expect(reset('49590338271490256608559692538361571095921575989136588898')).toEqual({
    sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
  });
});

test.each([
  [['leases', '--stream', 's'], '--app'],
  [['leases', '--app', 'a'], '--stream'],
  [['leases', ...base, '--store', 'mysql'], '--store'],
  [['leases', ...base, '--bogus', '1'], '--bogus'],
  [['leases', ...base, '--shard', 's'], '--shard'],
  [['reset', ...base, '--to', 'LATEST'], '--shard'],
  [['reset', ...base, '--shard', 's'], '--to'],
  [['reset', ...base, '--shard', 's', '--to', 'YESTERDAY'], '--to'],
  [['reset', ...base, '--shard', 's', '--to', '0123'], '--to'],
  [['release', ...base, '--shard', 's', '--failover-ms', '-5'], '--failover-ms'],
  [['release', ...base, '--shard', 's', '--failover-ms', '1.5'], '--failover-ms'],
  [['leases', ...base, '--endpoint', 'localhost:8000'], '--endpoint'],
  [['leases', ...base, '--store', 'redis', '--redis-url', 'http://x'], '--redis-url'],
  [['leases', ...base, '--store', 'redis', '--endpoint', 'http://127.0.0.1:1'], '--endpoint'],
  [['lag', ...base, '--failover-ms', '5'], '--failover-ms'],
  [['leases', ...base, '--app', ''], '--app'],
  [['frobnicate', ...base], 'command'],
  [[], 'command'],
  [['leases', 'extra', ...base], 'argument'],
])('%j is a usage error naming %s', (argv, option) => {
  expect(usageError(argv).option).toBe(option);
});

test('a region is needed for DynamoDB and lag, not for leases on Redis', () => {
  expect(usageError(['leases', ...base], {}).option).toBe('--region');
  expect(usageError(['lag', ...base, '--store', 'redis'], {}).option).toBe('--region');
  expect(parseCommandLine(['leases', ...base, '--store', 'redis'], {})).toMatchObject({ store: 'redis', region: undefined });
});

test('runCli: exit code 2 and a message naming the option for bad usage; --help exits 0', async () => {
  const bad = await kcl(['leases', ...base, '--store', 'mysql']);
  expect(bad.code).toBe(EXIT_CODES.usage);
  expect(bad.err).toContain('--store');
  const help = await kcl(['--help']);
  expect(help.code).toBe(0);
  for (const option of [
    '--app',
    '--stream',
    '--store',
    '--table',
    '--redis-url',
    '--endpoint',
    '--region',
    '--json',
    '--failover-ms',
    '--kinesis-endpoint',
    '--force',
    '--observe-ms',
    '--key-prefix',
  ]) {
    expect(help.out).toContain(option);
  }
});

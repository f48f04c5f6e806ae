import { FULL_DEFAULTS, parseArgs, QUICK_DEFAULTS, UsageError } from '../src/args';

test('defaults: the full run (100,000 records, 12 kills); --quick the CI variant; flags in any order, also --flag=value', () => {
  expect(parseArgs([])).toEqual(FULL_DEFAULTS);
  expect(FULL_DEFAULTS).toMatchObject({ workers: 4, shards: 8, records: 100_000, kills: 12, backend: 'dynamodb' });
  expect(parseArgs(['--seed', '7', '--quick'])).toEqual({ ...QUICK_DEFAULTS, seed: 7 });
  expect(parseArgs(['--backend=redis-cluster', '--json', '--records', '500', '--failover=2000'])).toMatchObject({
    backend: 'redis-cluster',
    json: true,
    records: 500,
    failoverMillis: 2_000,
    refreshMillis: 500,
  });
  expect(parseArgs(['--', '--help'])).toBe('help');
});

test('bad values are UsageErrors naming the flag', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--seed', '-1'], /--seed must be an integer from 0 to 4294967295/],
    [['--seed'], /--seed needs a value/],
    [['--seed', ''], /--seed must be/],
    [['--backend', 'mysql'], /--backend must be one of dynamodb, redis, redis-cluster/],
    [['--workers', '1'], /--workers must be an integer from 2 to 16/],
    [['--records', '1e3'], /--records must be an integer/],
    [['--failover', '999'], /--failover must be an integer from 1000/],
    [['--report-dir'], /--report-dir needs a directory/],
    [['--bogus'], /unknown option "--bogus"/],
  ];
  for (const [argv, message] of cases) {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  }
});

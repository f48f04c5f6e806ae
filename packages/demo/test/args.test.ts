import { DEFAULT_OPTIONS, parseArgs, UsageError } from '../src/args';

describe('demo arguments', () => {
  it('uses the defaults without flags', () => {
    expect(parseArgs([])).toEqual(DEFAULT_OPTIONS);
  });

  it('reads every flag, with a space or =', () => {
    expect(parseArgs(['--json', '--records', '500', '--shards=2', '--workers', '4', '--backend', 'redis', '--timeout', '30'])).toEqual({
      records: 500,
      shards: 2,
      workers: 4,
      backend: 'redis',
      json: true,
      timeoutSeconds: 30,
    });
    expect(parseArgs(['--help'])).toBe('help');
  });

  it.each([
    [['--records', '0'], /--records must be an integer from 1/],
    [['--records', 'ten'], /--records must be an integer/],
    [['--shards', '51'], /--shards must be an integer from 1 to 50/],
    [['--workers'], /--workers needs a value/],
    [['--backend', 'postgres'], /--backend must be one of dynamodb, redis, got "postgres"/],
    [['--verbose'], /unknown option "--verbose"/],
  ])('rejects %j with a message naming the flag', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

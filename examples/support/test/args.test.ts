import { ConfigError } from '@kcl/core';
import { parseExampleArgs } from '../src/args';

describe('parseExampleArgs', () => {
  it('has defaults: 100 records, exit when consumed, 10/s, 60 s timeout', () => {
    expect(parseExampleArgs([])).toEqual({ records: 100, forever: false, rate: 10, timeoutSeconds: 60, help: false });
  });

  it('reads every option, in both --flag value and --flag=value forms, and skips a -- separator', () => {
    expect(parseExampleArgs(['--', '--records', '50', '--forever', '--rate=20', '--timeout-seconds', '5', '-h'])).toEqual({
      records: 50,
      forever: true,
      rate: 20,
      timeoutSeconds: 5,
      help: true,
    });
  });

  it.each([
    [['--records'], '--records'],
    [['--records', '0'], '--records'],
    [['--records', '1.5'], '--records'],
    [['--records', 'ten'], '--records'],
    [['--rate', '-1'], '--rate'],
    [['--timeout-seconds='], '--timeout-seconds'],
    [['--shards', '2'], 'argument'],
  ])('rejects %j with a ConfigError naming %s', (argv, option) => {
    let caught: unknown;
    try {
      parseExampleArgs(argv);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).option).toBe(option);
  });
});

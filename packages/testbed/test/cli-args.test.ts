import { parseFlags, parseInteger, UsageError } from '../src/cli-args';

describe('parseInteger', () => {
  it('returns integers inside the range, bounds included', () => {
    expect(parseInteger('--runs', '1', 1, 20)).toBe(1);
    expect(parseInteger('--runs', '20', 1, 20)).toBe(20);
    expect(parseInteger('--warmup', '0', 0, 5)).toBe(0);
  });

  it.each([
    [undefined, /--runs needs a value \(an integer from 1 to 20\)/],
    ['', /--runs must be an integer from 1 to 20, got ""/],
    [' ', /--runs must be an integer from 1 to 20, got " "/],
    ['1.5', /got "1.5"/],
    ['1e1', /got "1e1"/],
    ['abc', /got "abc"/],
    ['0', /got "0"/],
    ['21', /got "21"/],
  ])('rejects %j with a UsageError naming the flag', (raw, message) => {
    expect(() => parseInteger('--runs', raw, 1, 20)).toThrow(UsageError);
    expect(() => parseInteger('--runs', raw, 1, 20)).toThrow(message);
  });
});

describe('parseFlags', () => {
  const spec = {
    runs: { kind: 'int', min: 1, max: 20 },
    json: { kind: 'switch' },
    backend: { kind: 'choice', choices: ['redis', 'dynamodb'] },
    dir: { kind: 'text', needs: 'a directory' },
    'phase-seconds': { kind: 'int', min: 1, max: 60, aliases: ['join-interval'] },
  } as const;

  it('reads --flag value, --flag=value, switches, aliases and -h; skips a -- separator; the last value wins', () => {
    const parsed = parseFlags(['--', '--runs', '3', '--json', '--backend=redis', '--dir', 'out', '--join-interval', '5', '--runs=4', '-h'], spec);
    expect(parsed).toEqual({ help: true, values: { runs: 4, json: true, backend: 'redis', dir: 'out', 'phase-seconds': 5 } });
    expect(parseFlags([], spec)).toEqual({ help: false, values: {} });
  });

  it.each([
    [['--fast'], /unknown option "--fast"; see --help/, 'argument'],
    [['stray'], /unknown option "stray"/, 'argument'],
    [['--runs'], /--runs needs a value/, '--runs'],
    [['--join-interval', '0'], /--join-interval must be an integer from 1 to 60, got "0"/, '--join-interval'],
    [['--backend', 'mongo'], /--backend must be one of redis, dynamodb, got "mongo"/, '--backend'],
    [['--dir'], /--dir needs a directory/, '--dir'],
    [['--json=yes'], /--json takes no value/, '--json'],
  ])('rejects %j with a UsageError naming the flag', (argv, message, flag) => {
    expect(() => parseFlags(argv, spec)).toThrow(message);
    try {
      parseFlags(argv, spec);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).flag).toBe(flag);
    }
  });
});

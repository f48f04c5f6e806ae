import { defaultMaxSeconds, parseScaleArgs, UsageError, type ScaleBenchOptions } from '../src/scale-args';

const parsed = (argv: string[]): ScaleBenchOptions => {
  const options = parseScaleArgs(argv);
  if (options === 'help') throw new Error('unexpected help');
  return options;
};

describe('parseScaleArgs', () => {
  it('defaults to the issue figures: 1,000 shards, 4 workers, redis, stealing off, 60 s phases', () => {
    expect(parsed([])).toEqual({
      shards: 1_000,
      workers: 4,
      backend: 'redis',
      stealing: false,
      phaseSeconds: 60,
      rate: 100,
      drainSeconds: 30,
      engineOnly: false,
      json: false,
      sdkGetRecords: false,
      maxSeconds: 180 + 4 * 60 + 30,
    });
  });

  it('engine-only (also --stand-in) defaults to 10,000 shards x 10 workers and no producer; explicit sizes win', () => {
    expect(parsed(['--engine-only'])).toMatchObject({ engineOnly: true, shards: 10_000, workers: 10, rate: 0 });
    expect(parsed(['--stand-in', '--shards', '2000', '--workers=3'])).toMatchObject({ engineOnly: true, shards: 2_000, workers: 3, rate: 0 });
    expect(() => parseScaleArgs(['--engine-only', '--rate', '10'])).toThrow(/--rate cannot be used with --engine-only/);
  });

  it('reads every flag, with a value after the flag or after "="; --join-interval is --phase-seconds', () => {
    expect(
      parsed([
        '--shards',
        '50',
        '--workers=2',
        '--backend',
        'dynamodb',
        '--stealing',
        '--join-interval',
        '5',
        '--rate=7',
        '--drain-seconds',
        '3',
        '--max-seconds',
        '99',
        '--json',
        '--sdk-get-records',
      ]),
    ).toEqual({
      shards: 50,
      workers: 2,
      backend: 'dynamodb',
      stealing: true,
      phaseSeconds: 5,
      rate: 7,
      drainSeconds: 3,
      engineOnly: false,
      json: true,
      sdkGetRecords: true,
      maxSeconds: 99,
    });
    expect(parsed(['--phase-seconds=12']).phaseSeconds).toBe(12);
    expect(parseScaleArgs(['-h'])).toBe('help');
  });

  it('the default hard bound grows with workers, phase length and drain', () => {
    expect(parsed(['--workers', '2', '--phase-seconds', '10', '--drain-seconds', '5']).maxSeconds).toBe(
      defaultMaxSeconds({ workers: 2, phaseSeconds: 10, drainSeconds: 5 }),
    );
    expect(defaultMaxSeconds({ workers: 2, phaseSeconds: 10, drainSeconds: 5 })).toBe(180 + 20 + 5);
  });

  it('rejects bad values and unknown flags with a UsageError naming the flag', () => {
    expect(() => parseScaleArgs(['--shards', '0'])).toThrow(/--shards must be an integer from 1 to 100000, got "0"/);
    expect(() => parseScaleArgs(['--workers', '65'])).toThrow(UsageError);
    expect(() => parseScaleArgs(['--backend', 'mongo'])).toThrow(/--backend must be one of redis, dynamodb, got "mongo"/);
    expect(() => parseScaleArgs(['--backend'])).toThrow(/--backend/);
    expect(() => parseScaleArgs(['--join-interval', '0'])).toThrow(/--join-interval must be/);
    expect(() => parseScaleArgs(['--max-seconds', '5'])).toThrow(/--max-seconds/);
    expect(() => parseScaleArgs(['--fast'])).toThrow(/unknown option "--fast"/);
  });
});

import { DEFAULT_DRAIN_OPTIONS, parseDrainArgs, UsageError } from '../src/args';
import { CallPacer } from '../src/call-pacer';
import { median, ratePerSecond } from '../src/stats';

describe('parseDrainArgs', () => {
  it('defaults to the issue figures: 4 shards, 40,000 records of 1 KB, Limit 10000, median of 3', () => {
    expect(parseDrainArgs([])).toEqual({ records: 40_000, shards: 4, recordBytes: 1024, runs: 3, warmup: 1, maxRecords: 10_000, json: false });
    expect(DEFAULT_DRAIN_OPTIONS.records).toBe(40_000);
  });

  it('reads every flag, with a value after the flag or after "="', () => {
    expect(
      parseDrainArgs(['--records', '800', '--shards=2', '--record-bytes', '64', '--runs=1', '--warmup', '0', '--max-records', '100', '--json']),
    ).toEqual({
      records: 800,
      shards: 2,
      recordBytes: 64,
      runs: 1,
      warmup: 0,
      maxRecords: 100,
      json: true,
    });
    expect(parseDrainArgs(['--help'])).toBe('help');
  });

  it('rejects bad values and unknown flags with a UsageError naming the flag', () => {
    expect(() => parseDrainArgs(['--runs', '0'])).toThrow(/--runs must be an integer from 1 to 20, got "0"/);
    expect(() => parseDrainArgs(['--max-records', '10001'])).toThrow(UsageError);
    expect(() => parseDrainArgs(['--records'])).toThrow(/--records/);
    expect(() => parseDrainArgs(['--warmup', '-1'])).toThrow(/--warmup/);
    expect(() => parseDrainArgs(['--fast'])).toThrow(/unknown option "--fast"/);
    expect(() => parseDrainArgs(['--records', '3', '--shards', '4'])).toThrow(/at least --shards/);
  });
});

describe('stats and pacing', () => {
  it('median of odd and even counts; rate per second', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
    expect(ratePerSecond(40_000, 2_000)).toBe(20_000);
  });

  it('CallPacer starts calls at least 200 ms apart (5 per second), the first one at once', async () => {
    const pacer = new CallPacer();
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      await pacer.next();
      starts.push(performance.now());
    }
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(199);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(199);
    expect(starts[2]! - starts[0]!).toBeLessThan(1_000);
  });
});

import { parseIntFlag, UsageError } from '../src/cli-args';

describe('parseIntFlag', () => {
  it('returns integers inside the range, bounds included', () => {
    expect(parseIntFlag('runs', '1', 1, 20)).toBe(1);
    expect(parseIntFlag('runs', '20', 1, 20)).toBe(20);
    expect(parseIntFlag('warmup', '0', 0, 5)).toBe(0);
  });

  it.each([
    [undefined, /--runs needs a value \(an integer from 1 to 20\)/],
    ['', /--runs must be an integer from 1 to 20, got ""/],
    [' ', /--runs must be an integer from 1 to 20, got " "/],
    ['1.5', /got "1.5"/],
    ['abc', /got "abc"/],
    ['0', /got "0"/],
    ['21', /got "21"/],
  ])('rejects %j with a UsageError naming the flag', (raw, message) => {
    expect(() => parseIntFlag('runs', raw, 1, 20)).toThrow(UsageError);
    expect(() => parseIntFlag('runs', raw, 1, 20)).toThrow(message);
  });
});

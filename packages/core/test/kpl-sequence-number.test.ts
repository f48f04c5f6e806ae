import { InvalidArgumentError } from '../src/errors';
import { assertValidSequenceNumber, compareSequenceNumbers, isValidSequenceNumber } from '../src/sequence-number';

const TWO_128 = 1n << 128n;

describe('sequence numbers', () => {
  it('accepts Kinesis sequence numbers, including real 56-digit ones beyond 128 bits', () => {
    for (const value of ['0', '1', '49590338271490256608559692538361571095921575989136588898', (TWO_128 - 1n).toString(), '9'.repeat(129)]) {
      expect(isValidSequenceNumber(value)).toBe(true);
    }
  });

  it('rejects everything else', () => {
    for (const value of ['', '01', '-1', '+1', '1.5', '1e3', ' 1', '1 ', 'SHARD_END', 'TRIM_HORIZON', '9'.repeat(130), '١٢٣']) {
      expect(isValidSequenceNumber(value)).toBe(false);
    }
    for (const value of [undefined, null, 1, 1n, {}, ['1']]) expect(isValidSequenceNumber(value)).toBe(false);
  });

  it('assertValidSequenceNumber throws InvalidArgumentError naming the argument and value', () => {
    expect(() => assertValidSequenceNumber('12x', 'sequenceNumber')).toThrow(InvalidArgumentError);
    expect(() => assertValidSequenceNumber('12x', 'sequenceNumber')).toThrow(/Invalid sequenceNumber: "12x"/);
    expect(() => assertValidSequenceNumber(42)).toThrow(/number 42/);
    expect(() => assertValidSequenceNumber('123')).not.toThrow();
  });

  it('compares 128-bit and longer values numerically, like BigInt', () => {
    const values = [
      0n,
      1n,
      9n,
      10n,
      (1n << 64n) - 1n,
      1n << 64n,
      TWO_128 - 2n,
      TWO_128 - 1n,
      TWO_128,
      49590338271490256608559692538361571095921575989136588898n,
      49590338271490256608559692538361571095921575989136588899n,
      59590338271490256608559692538361571095921575989136588898n,
    ];
    for (const a of values) {
      for (const b of values) {
        const expected = a < b ? -1 : a > b ? 1 : 0;
        expect(Math.sign(compareSequenceNumbers(a.toString(), b.toString()))).toBe(expected);
      }
    }
    // Lexicographic order alone would get this wrong.
    expect(compareSequenceNumbers('9', '10')).toBeLessThan(0);
    expect(compareSequenceNumbers((TWO_128 - 1n).toString(), '99999999999999999999999999999999999999')).toBeGreaterThan(0);
  });

  it('compareSequenceNumbers rejects invalid input', () => {
    expect(() => compareSequenceNumbers('1', 'SHARD_END')).toThrow(InvalidArgumentError);
    expect(() => compareSequenceNumbers('007', '7')).toThrow(InvalidArgumentError);
  });
});

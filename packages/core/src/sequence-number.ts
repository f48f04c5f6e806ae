/**
 * Kinesis sequence numbers: validation and ordering.
 *
 * A sequence number is a decimal string. Real ones are 56 digits today (about 2^185), so they are NOT bounded to
 * 128 bits: the Kinesis API allows `0|([1-9]\d{0,128})`, and that is what {@link isValidSequenceNumber} accepts.
 * Comparison is exact for any length (no floating point, no BigInt needed: without leading zeros a longer decimal
 * string is a larger number, and equal-length strings compare lexicographically).
 */
import { InvalidArgumentError } from './errors';
import { primitiveText } from './internal/primitive-text';

/** The Kinesis API's pattern for sequence numbers: no sign, no leading zeros, at most 129 digits. */
const SEQUENCE_NUMBER_PATTERN = /^(0|[1-9][0-9]{0,128})$/;

/** True when `value` is a syntactically valid Kinesis sequence number (a decimal string as the API defines it). */
export function isValidSequenceNumber(value: unknown): value is string {
  return typeof value === 'string' && SEQUENCE_NUMBER_PATTERN.test(value);
}

/**
 * Throws {@link InvalidArgumentError} unless `value` is a valid sequence number.
 * @param name how the value is called in the error message (e.g. `sequenceNumber`)
 */
export function assertValidSequenceNumber(value: unknown, name = 'sequenceNumber'): asserts value is string {
  if (!isValidSequenceNumber(value)) {
    throw new InvalidArgumentError(
      `Invalid ${name}: ${describe(value)}. Expected a Kinesis sequence number: a decimal string of 1 to 129 digits without leading zeros.`,
    );
  }
}

/**
 * Orders two sequence numbers numerically: negative when `a < b`, 0 when equal, positive when `a > b`.
 * Throws {@link InvalidArgumentError} if either is not a valid sequence number.
 */
export function compareSequenceNumbers(a: string, b: string): number {
  assertValidSequenceNumber(a, 'sequence number');
  assertValidSequenceNumber(b, 'sequence number');
  return compareDecimalStrings(a, b);
}

/**
 * Orders two strings by length, then character by character: numeric order for decimal strings without leading zeros
 * (any length), and a fixed order for anything else. No validation (see {@link compareSequenceNumbers}).
 */
export function compareDecimalStrings(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Orders two positions (sequence number, sub-sequence number) without validating them: by
 * {@link compareDecimalStrings}, then by sub-sequence number, where a missing one (the whole record) orders after every
 * sub-sequence number of the same record.
 */
export function comparePositions(
  a: { sequenceNumber: string; subSequenceNumber?: number | undefined },
  b: { sequenceNumber: string; subSequenceNumber?: number | undefined },
): number {
  const bySequence = compareDecimalStrings(a.sequenceNumber, b.sequenceNumber);
  if (bySequence !== 0) return bySequence;
  const subA = a.subSequenceNumber;
  const subB = b.subSequenceNumber;
  if (subA === subB) return 0;
  if (subA === undefined) return 1;
  if (subB === undefined) return -1;
  return subA - subB;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 140 ? `${value.slice(0, 140)}...` : value);
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${primitiveText(value)}`;
}

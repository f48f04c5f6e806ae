/**
 * Positions inside a shard as the consumer and its checkpointer see them: a Kinesis sequence number plus, for a user
 * record of a KPL aggregate, its sub-sequence number.
 *
 * Convention used throughout consumers/: a position WITHOUT a sub-sequence number stands for the whole Kinesis record
 * (for an aggregate: every user record in it), so it orders after every sub-sequence number of the same record. A
 * checkpoint without one resumes AFTER the record; a checkpoint with one (0 included) resumes AT the record and skips
 * the user records up to and including that sub-sequence number.
 * @internal
 */
import type { ExtendedSequenceNumber } from '../checkpoint/shard-status';
import { InvalidArgumentError } from '../errors';
import { assertValidSequenceNumber, comparePositions } from '../sequence-number';
import { primitiveText } from '../internal/primitive-text';

/** Validates a (sequenceNumber, subSequenceNumber?) pair given by a processor and returns it as a position. */
export function toExtendedSequenceNumber(sequenceNumber: unknown, subSequenceNumber: unknown): ExtendedSequenceNumber {
  assertValidSequenceNumber(sequenceNumber, 'sequenceNumber');
  if (subSequenceNumber === undefined) return { sequenceNumber };
  if (typeof subSequenceNumber !== 'number' || !Number.isSafeInteger(subSequenceNumber) || subSequenceNumber < 0) {
    throw new InvalidArgumentError(
      `Invalid subSequenceNumber: ${primitiveText(subSequenceNumber)}. Expected an integer >= 0 (the index of a user record inside its KPL aggregate) or undefined.`,
    );
  }
  return { sequenceNumber, subSequenceNumber };
}

/**
 * Orders two positions: negative when `a` is before `b`, 0 when equal, positive when after. A missing
 * sub-sequence number (the whole record) orders after every sub-sequence number of the same record.
 */
export function compareExtendedSequenceNumbers(a: ExtendedSequenceNumber, b: ExtendedSequenceNumber): number {
  assertValidSequenceNumber(a.sequenceNumber, 'sequence number');
  assertValidSequenceNumber(b.sequenceNumber, 'sequence number');
  return comparePositions(a, b);
}

/** `12345` or `12345.3` for log lines and error messages. */
export function formatPosition(position: ExtendedSequenceNumber): string {
  return position.subSequenceNumber === undefined
    ? position.sequenceNumber
    : `${position.sequenceNumber} (subSequenceNumber ${position.subSequenceNumber})`;
}

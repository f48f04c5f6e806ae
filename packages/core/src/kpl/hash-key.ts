/**
 * Kinesis hash keys: 128-bit unsigned integers written as decimal strings. A record's hash key is its explicit hash
 * key when it has one, else the MD5 of its partition key (UTF-8) read as a big-endian unsigned integer.
 * @internal
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../errors';

/** 2^128 - 1, the largest hash key. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** At most 39 decimal digits (2^128 - 1 has 39). Leading zeros are tolerated. */
const HASH_KEY_PATTERN = /^[0-9]{1,39}$/;

/** Parses a decimal hash key; undefined when it is not a decimal integer in [0, 2^128 - 1]. */
export function parseHashKey(value: string): bigint | undefined {
  if (!HASH_KEY_PATTERN.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed <= MAX_HASH_KEY ? parsed : undefined;
}

/** MD5 of the partition key's UTF-8 bytes as a 128-bit unsigned integer (what Kinesis routes by). */
export function partitionKeyHash(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/** A shard's hash key range, inclusive at both ends, as decimal strings (ListShards' `HashKeyRange`). */
export interface HashKeyRange {
  /** Lowest hash key of the shard (inclusive), decimal. */
  startingHashKey: string;
  /** Highest hash key of the shard (inclusive), decimal. */
  endingHashKey: string;
}

/** A parsed {@link HashKeyRange}. @internal */
export interface ParsedHashKeyRange {
  start: bigint;
  end: bigint;
}

/** Parses and checks a hash key range; throws {@link InvalidArgumentError} if it is malformed or empty. */
export function parseHashKeyRange(range: HashKeyRange): ParsedHashKeyRange {
  const start = parseHashKey(String(range.startingHashKey));
  const end = parseHashKey(String(range.endingHashKey));
  if (start === undefined || end === undefined || start > end) {
    throw new InvalidArgumentError(
      `Invalid hashKeyRange [${String(range.startingHashKey)}, ${String(range.endingHashKey)}]: expected decimal hash keys with 0 <= startingHashKey <= endingHashKey <= 2^128-1.`,
    );
  }
  return { start, end };
}

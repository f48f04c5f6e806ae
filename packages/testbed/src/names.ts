import { randomBytes } from 'node:crypto';

const PREFIX_PATTERN = /^[a-zA-Z0-9_.-]*$/;

/**
 * A unique name like `kcl-test-<prefix>-<12 hex chars>`. Valid as a Kinesis stream name, a DynamoDB table name and a
 * Redis key prefix: only letters, digits, `-`, `_` and `.`, and at most 128 characters.
 * @param prefix - a short tag saying which test made it; `[a-zA-Z0-9_.-]*`, at most 100 characters.
 * @defaultValue prefix `'x'`
 */
export function randomName(prefix = 'x'): string {
  if (!PREFIX_PATTERN.test(prefix) || prefix.length > 100) {
    throw new RangeError(`randomName: prefix must match [a-zA-Z0-9_.-]{0,100}, got ${JSON.stringify(prefix)}`);
  }
  const tag = prefix === '' ? '' : `${prefix}-`;
  return `kcl-test-${tag}${randomBytes(6).toString('hex')}`;
}

/**
 * What the names that end up in Redis keys and lease hashes may contain. Keys are
 * `<keyPrefix>:<tableName>:shard:<shardId>` and `<keyPrefix>:<tableName>:shards` (the table name in braces on a
 * cluster), so:
 * - the table name must not contain `:`: table `a:shard` under prefix `kcl` would share keys with table `shard` under
 *   prefix `kcl:a`; nor `{` or `}`, which would change the Redis Cluster hash tag (the slot of the application);
 * - the key prefix may contain `:` (a namespace such as `prod:kcl`) but must not start or end with it, and must not
 *   contain `{` or `}` (a brace pair in the prefix would become the hash tag of every application under it);
 * - shard ids must not contain `:` either (Kinesis shard ids never do; with `:` allowed in the prefix, an id holding
 *   `:shard:` could otherwise spell another application's key);
 * - worker ids are stored as hash values (AssignedTo, ClaimRequest), never in keys: any text without control
 *   characters, up to 256 characters, not blank (the rule KinesisClientLibConfig applies; checked again here because
 *   a config can be changed after construction and takeLease/renewLease/claimShard take ids as arguments).
 * No name may contain whitespace or control characters (they make keys and log lines ambiguous).
 */
import { ConfigError, InvalidArgumentError } from '@kcl/core';

/** The rules, as shown in error messages and the README. */
export const NAME_RULES = {
  tableName: '1 to 255 characters without ":", "{", "}", whitespace or control characters',
  keyPrefix: '1 to 255 characters without "{", "}", whitespace or control characters, not starting or ending with ":"',
  workerId: '1 to 256 characters without control characters, not blank (as KinesisClientLibConfig checks it)',
  shardId: 'a non-empty string without ":" or control characters (Kinesis shard ids such as shardId-000000000001)',
} as const;

// Control characters are what these rules look for.
// eslint-disable-next-line no-control-regex
const SPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function isTableName(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 255 && !/[:{}]/.test(value) && !SPACE_OR_CONTROL.test(value);
}

function isKeyPrefix(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= 255 &&
    !/[{}]/.test(value) &&
    !SPACE_OR_CONTROL.test(value) &&
    !value.startsWith(':') &&
    !value.endsWith(':')
  );
}

/** True for a worker id the Redis lease store accepts. */
export function isWorkerId(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && value.length <= 256 && !CONTROL.test(value);
}

/** Throws {@link ConfigError} (option `tableName`) unless `value` follows {@link NAME_RULES}.tableName. */
export function assertTableName(value: unknown): asserts value is string {
  if (!isTableName(value)) {
    throw new ConfigError(
      'tableName',
      value,
      NAME_RULES.tableName,
      'The table name is part of every Redis key; ":" would let two applications share keys and braces would change the cluster slot.',
    );
  }
}

/** Throws {@link ConfigError} (option `keyPrefix`) unless `value` follows {@link NAME_RULES}.keyPrefix. */
export function assertKeyPrefix(value: unknown): asserts value is string {
  if (!isKeyPrefix(value)) {
    throw new ConfigError('keyPrefix', value, NAME_RULES.keyPrefix, 'Leave it unset for go-kcl\'s "kcl".');
  }
}

/** Throws {@link ConfigError} (option `workerId`) unless `value` follows {@link NAME_RULES}.workerId. */
export function assertConfigWorkerId(value: unknown): asserts value is string {
  if (!isWorkerId(value)) throw new ConfigError('workerId', value, NAME_RULES.workerId);
}

/** Throws {@link InvalidArgumentError} naming `argument` unless `value` is a valid worker id. */
export function assertWorkerIdArgument(method: string, argument: string, value: unknown): asserts value is string {
  if (!isWorkerId(value)) {
    throw new InvalidArgumentError(`${method}: invalid ${argument} ${JSON.stringify(value)}; allowed: ${NAME_RULES.workerId}`);
  }
}

/** Throws {@link InvalidArgumentError} unless `value` is a Kinesis shard id (it becomes part of a key). */
export function assertShardId(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.includes(':') || CONTROL.test(value)) {
    throw new InvalidArgumentError(`Invalid shard id ${JSON.stringify(value)}; allowed: ${NAME_RULES.shardId}`);
  }
}

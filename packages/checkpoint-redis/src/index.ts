export { RedisCheckpoint } from './redis-checkpoint';
export type { CommandDecoding, RedisCheckpointOptions, RedisClientLike, RedisClusterLike, RedisTlsOptions } from './options';
export { type LeaseKeys, leaseKeys } from './keys';
export { DEFAULT_KEY_PREFIX } from './resolve-options';
export { FIELD as LEASE_HASH_FIELDS } from './lease-hash';

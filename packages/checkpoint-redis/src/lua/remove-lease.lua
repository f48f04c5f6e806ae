-- remove-lease.lua: deletes the lease of a shard that no longer exists, atomically.
--
-- KEYS[1]  lease hash of the shard           e.g. kcl:orders:shard:shardId-000000000001
-- KEYS[2]  set of the application's shards   e.g. kcl:orders:shards
-- ARGV[1]  shard id
--
-- Deletes the hash and removes the id from the set. Unconditional; absent is fine.
--
-- Returns { code }:
--   0  OK  removed (or was absent)
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return { 0 }

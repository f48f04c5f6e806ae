-- remove-lease.lua: deletes the lease of a finished shard that no longer exists, atomically.
--
-- KEYS[1]  lease hash of the shard           e.g. kcl:orders:shard:shardId-000000000001
-- KEYS[2]  set of the application's shards   e.g. kcl:orders:shards
-- ARGV[1]  shard id
-- ARGV[2]  prefix of the per-owner sets   e.g. kcl:orders:owner: (see lib/owner-sets.lua)
--
-- Deletes the hash and removes the id from the set (and from its owner's set), only if the lease is checkpointed at SHARD_END (or the hash is
-- already gone). A lease that is not finished (e.g. removed and re-created since the caller read it) is kept.
--
-- Returns { code } on success, { code, field, value, ... } with the stored hash otherwise:
--   0  OK            removed (or was absent)
--   9  NOT_FINISHED  the lease is not at SHARD_END: nothing was deleted
-- @include lib/lease-hash.lua
-- @include lib/owner-sets.lua

local lease, flat = load_lease(KEYS[1])
if #flat > 0 and lease['Checkpoint'] ~= 'SHARD_END' then
  return with_hash(9, flat)
end
redis.call('DEL', KEYS[1])
move_owner(ARGV[2], ARGV[1], lease['AssignedTo'], nil)
redis.call('SREM', KEYS[2], ARGV[1])
return { 0 }

-- take-lease.lua: takes the lease of one shard for a new owner (a take, never a renewal), atomically.
--
-- KEYS[1]  lease hash of the shard           e.g. kcl:orders:shard:shardId-000000000001
-- KEYS[2]  set of the application's shards   e.g. kcl:orders:shards
-- ARGV[1]  shard id
-- ARGV[2]  new owner (worker id, non-empty)
-- ARGV[3]  new lease token (non-empty)
-- ARGV[4]  LeaseCounter the caller observed (integer >= 0; a missing counter counts as 0)
-- ARGV[5]  failover time in ms (LeaseTimeout = server TIME + this; informational)
-- ARGV[6]  first parent shard id, or '' (written only when the lease is created)
-- ARGV[7]  every parent shard id, comma-separated, or '' (written only when the lease is created)
-- ARGV[8]  prefix of the per-owner sets   e.g. kcl:orders:owner: (see lib/owner-sets.lua)
--
-- Succeeds only if the stored counter (0 when absent) equals ARGV[4] and Checkpoint is not SHARD_END. Then sets
-- ShardID, AssignedTo, LeaseToken, LeaseTimeout, increments LeaseCounter, deletes ClaimRequest, and adds the shard id
-- to the set; moves the shard id from the previous owner's set to the new owner's. Checkpoint and SubSequenceNumber
-- are kept.
--
-- Returns { code, field, value, ... } with the lease hash (after the write on success):
--   0  OK             taken
--   2  COUNTER_MOVED  the stored counter differs from ARGV[4] (someone renewed, took, released or deleted it)
--   3  SHARD_ENDED    the shard is checkpointed at SHARD_END and is never leased again
if redis.replicate_commands then redis.replicate_commands() end

-- @include lib/lease-hash.lua
-- @include lib/server-time.lua
-- @include lib/owner-sets.lua

local lease, flat = load_lease(KEYS[1])
if lease['Checkpoint'] == 'SHARD_END' then
  return with_hash(3, flat)
end
local counter = tonumber(lease['LeaseCounter'] or '0') or 0
if counter ~= tonumber(ARGV[4]) then
  return with_hash(2, flat)
end

redis.call('HSET', KEYS[1], 'ShardID', ARGV[1], 'AssignedTo', ARGV[2], 'LeaseToken', ARGV[3],
  'LeaseTimeout', rfc3339_after(tonumber(ARGV[5])))
redis.call('HINCRBY', KEYS[1], 'LeaseCounter', 1)
redis.call('HDEL', KEYS[1], 'ClaimRequest')
if #flat == 0 then
  if ARGV[6] ~= '' then
    redis.call('HSET', KEYS[1], 'ParentShardId', ARGV[6])
  end
  if ARGV[7] ~= '' then
    redis.call('HSET', KEYS[1], 'ParentShardIds', ARGV[7])
  end
end
redis.call('SADD', KEYS[2], ARGV[1])
move_owner(ARGV[8], ARGV[1], lease['AssignedTo'], ARGV[2])
return with_hash(0, redis.call('HGETALL', KEYS[1]))

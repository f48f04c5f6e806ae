-- transfer-lease.lua: the owner hands a lease over to the worker that claimed it (end of a graceful hand-off),
-- atomically.
--
-- KEYS[1]  lease hash of the shard           e.g. kcl:orders:shard:shardId-000000000001
-- ARGV[1]  shard id
-- ARGV[2]  the handing-over owner (worker id, non-empty)
-- ARGV[3]  lease token of its tenure (non-empty)
-- ARGV[4]  the receiving worker (worker id, non-empty, not ARGV[2])
-- ARGV[5]  the receiver's new lease token (non-empty)
-- ARGV[6]  failover time in ms (LeaseTimeout = server TIME + this; informational)
-- ARGV[7]  prefix of the per-owner sets   e.g. kcl:orders:owner: (see lib/owner-sets.lua)
--
-- Succeeds only if AssignedTo = ARGV[2], LeaseToken = ARGV[3] and the shard is not at SHARD_END. Then sets
-- AssignedTo = ARGV[4] and LeaseToken = ARGV[5], updates LeaseTimeout, increments LeaseCounter, deletes ClaimRequest
-- and moves the shard id between the owner sets. Checkpoint and SubSequenceNumber are kept.
--
-- Returns { code, field, value, ... } with the lease hash (after the write on success):
--   0  OK           handed over
--   3  SHARD_ENDED  the shard is at SHARD_END: a finished shard is never handed over
--   4  NOT_HELD     the lease is absent, or has another owner or token: nothing was written
if redis.replicate_commands then redis.replicate_commands() end

-- @include lib/lease-hash.lua
-- @include lib/server-time.lua
-- @include lib/owner-sets.lua

local lease, flat = load_lease(KEYS[1])
if #flat == 0 or lease['AssignedTo'] ~= ARGV[2] or lease['LeaseToken'] ~= ARGV[3] then
  return with_hash(4, flat)
end
if lease['Checkpoint'] == 'SHARD_END' then
  return with_hash(3, flat)
end

redis.call('HSET', KEYS[1], 'AssignedTo', ARGV[4], 'LeaseToken', ARGV[5], 'LeaseTimeout', rfc3339_after(tonumber(ARGV[6])))
redis.call('HINCRBY', KEYS[1], 'LeaseCounter', 1)
redis.call('HDEL', KEYS[1], 'ClaimRequest')
move_owner(ARGV[7], ARGV[1], ARGV[2], ARGV[4])
return with_hash(0, redis.call('HGETALL', KEYS[1]))

-- renew-lease.lua: renews a lease its owner still holds, atomically.
--
-- KEYS[1]  lease hash of the shard           e.g. kcl:orders:shard:shardId-000000000001
-- ARGV[1]  owner (worker id, non-empty)
-- ARGV[2]  lease token the owner got when it took the lease (non-empty)
-- ARGV[3]  failover time in ms (LeaseTimeout = server TIME + this; informational)
-- ARGV[4]  shard id
-- ARGV[5]  prefix of the per-owner sets   e.g. kcl:orders:owner: (see lib/owner-sets.lua)
--
-- Succeeds only if AssignedTo = ARGV[1] and LeaseToken = ARGV[2]. Then updates LeaseTimeout and increments
-- LeaseCounter; token, checkpoint and ClaimRequest are kept (the owner sees a pending claim in the reply). The shard id
-- is (re-)added to the owner's set: a lease taken by an older version, which kept no sets, is indexed by its next renewal.
--
-- Returns { code, field, value, ... } with the lease hash (after the write on success):
--   0  OK        renewed
--   4  NOT_HELD  the lease is absent, or has another owner or token: the caller lost it
if redis.replicate_commands then redis.replicate_commands() end

-- @include lib/lease-hash.lua
-- @include lib/server-time.lua
-- @include lib/owner-sets.lua

local lease, flat = load_lease(KEYS[1])
if #flat == 0 or lease['AssignedTo'] ~= ARGV[1] or lease['LeaseToken'] ~= ARGV[2] then
  return with_hash(4, flat)
end

redis.call('HSET', KEYS[1], 'LeaseTimeout', rfc3339_after(tonumber(ARGV[3])))
redis.call('HINCRBY', KEYS[1], 'LeaseCounter', 1)
move_owner(ARGV[5], ARGV[4], nil, ARGV[1])
return with_hash(0, redis.call('HGETALL', KEYS[1]))

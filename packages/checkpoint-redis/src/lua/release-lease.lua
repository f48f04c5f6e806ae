-- release-lease.lua: the owner gives a lease up (graceful shutdown, hand-off after a claim), atomically.
--
-- KEYS[1]  lease hash of the shard           e.g. kcl:orders:shard:shardId-000000000001
-- ARGV[1]  the releasing worker's id (non-empty)
-- ARGV[2]  lease token of the tenure being released (non-empty)
-- ARGV[3]  shard id
-- ARGV[4]  prefix of the per-owner sets   e.g. kcl:orders:owner: (see lib/owner-sets.lua)
--
-- Succeeds only if AssignedTo = ARGV[1] AND LeaseToken = ARGV[2]: a stale process with the same worker id (restarted,
-- or resumed after a pause) holds an older token and cannot release the live owner's lease. Then deletes AssignedTo,
-- LeaseToken and LeaseTimeout, increments LeaseCounter and removes the shard id from the owner's set; Checkpoint and ClaimRequest are kept (so the claimer can
-- take it next).
--
-- Returns { code, field, value, ... } with the lease hash (after the write on success):
--   0  OK         released
--   1  UNCHANGED  the lease is absent or already unowned: nothing to do
--   4  NOT_HELD   another worker owns the lease, or the same worker id with another token: nothing was written
-- @include lib/lease-hash.lua
-- @include lib/owner-sets.lua

local lease, flat = load_lease(KEYS[1])
local owner = lease['AssignedTo'] or ''
if owner == '' then
  return with_hash(1, flat)
end
if owner ~= ARGV[1] or (lease['LeaseToken'] or '') ~= ARGV[2] then
  return with_hash(4, flat)
end

redis.call('HDEL', KEYS[1], 'AssignedTo', 'LeaseToken', 'LeaseTimeout')
redis.call('HINCRBY', KEYS[1], 'LeaseCounter', 1)
move_owner(ARGV[4], ARGV[3], owner, nil)
return with_hash(0, redis.call('HGETALL', KEYS[1]))

-- checkpoint.lua: writes a checkpoint, only while the caller still holds the lease, atomically.
--
-- KEYS[1]  lease hash of the shard           e.g. kcl:orders:shard:shardId-000000000001
-- ARGV[1]  owner the caller believes it is (worker id; '' never matches)
-- ARGV[2]  lease token of the caller's tenure ('' matches only a lease without token, as go-kcl writes them)
-- ARGV[3]  checkpoint: a sequence number or SHARD_END (non-empty)
-- ARGV[4]  sub-sequence number inside a KPL aggregate (integer >= 0), or '' for none
--
-- Succeeds only if AssignedTo = ARGV[1] and LeaseToken = ARGV[2]. Then sets Checkpoint and SubSequenceNumber
-- (deleted for ''). LeaseCounter is not changed.
--
-- Returns { code } on success, { code, field, value, ... } with the stored hash otherwise:
--   0  OK        written
--   4  NOT_HELD  the lease is absent, unowned, or has another owner or token: nothing was written
-- @include lib/lease-hash.lua

local lease, flat = load_lease(KEYS[1])
local owner = lease['AssignedTo'] or ''
if owner == '' or owner ~= ARGV[1] or (lease['LeaseToken'] or '') ~= ARGV[2] then
  return with_hash(4, flat)
end

redis.call('HSET', KEYS[1], 'Checkpoint', ARGV[3])
if ARGV[4] == '' then
  redis.call('HDEL', KEYS[1], 'SubSequenceNumber')
else
  redis.call('HSET', KEYS[1], 'SubSequenceNumber', ARGV[4])
end
return { 0 }

-- claim-shard.lua: asks a lease's owner to hand the shard over (lease stealing), atomically.
--
-- KEYS[1]  lease hash of the shard           e.g. kcl:orders:shard:shardId-000000000001
-- ARGV[1]  owner the claimer observed (worker id; '' never matches)
-- ARGV[2]  claimer (worker id, non-empty)
--
-- Succeeds only if the shard is not at SHARD_END, no claim is pending and AssignedTo = ARGV[1]. Then sets
-- ClaimRequest; owner, token and LeaseCounter are unchanged.
--
-- Returns { code, field, value, ... } with the stored hash:
--   0  OK                 claim recorded
--   5  OWNER_CHANGED      the lease is absent, unowned, or owned by someone else than ARGV[1]
--   6  CLAIM_PENDING      another claim is pending
--   7  CLAIM_SHARD_ENDED  the shard is at SHARD_END and cannot be claimed
-- @include lib/lease-hash.lua

local lease, flat = load_lease(KEYS[1])
if lease['Checkpoint'] == 'SHARD_END' then
  return with_hash(7, flat)
end
if (lease['ClaimRequest'] or '') ~= '' then
  return with_hash(6, flat)
end
local owner = lease['AssignedTo'] or ''
if owner == '' or owner ~= ARGV[1] then
  return with_hash(5, flat)
end

redis.call('HSET', KEYS[1], 'ClaimRequest', ARGV[2])
return with_hash(0, redis.call('HGETALL', KEYS[1]))

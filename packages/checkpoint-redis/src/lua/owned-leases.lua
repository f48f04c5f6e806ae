-- owned-leases.lua: the leases of one owner, read from its owner set (never the whole table), atomically.
--
-- KEYS[1]  the owner's set                e.g. kcl:orders:owner:worker-1
-- ARGV[1]  the owner (worker id)
-- ARGV[2]  prefix of the lease hashes     e.g. kcl:orders:shard: (the same slot as KEYS[1], see lib/owner-sets.lua)
--
-- Members whose lease is gone or has another owner (left by a writer that keeps no sets, e.g. go-kcl) are removed
-- from the set.
--
-- Returns { shard id, LeaseCounter, shard id, LeaseCounter, ... } of the leases whose AssignedTo is ARGV[1].
local out = {}
for _, shard_id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local lease = redis.call('HMGET', ARGV[2] .. shard_id, 'AssignedTo', 'LeaseCounter')
  if lease[1] == ARGV[1] then
    out[#out + 1] = shard_id
    out[#out + 1] = lease[2] or '0'
  else
    redis.call('SREM', KEYS[1], shard_id)
  end
end
return out

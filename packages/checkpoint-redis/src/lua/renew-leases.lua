-- renew-leases.lua: renews many leases of one owner in one call; each entry is the same transition as
-- renew-lease.lua, judged on its own (a lost lease fails its own entry only).
--
-- KEYS[1]      lease hash of the first shard  e.g. kcl:orders:shard:shardId-000000000001
-- KEYS[i]      lease hash of the i-th shard (one key per entry)
-- ARGV[1]      owner (worker id, non-empty)
-- ARGV[2]      failover time in ms (LeaseTimeout = server TIME + this; informational)
-- ARGV[3]      prefix of the per-owner sets   e.g. kcl:orders:owner: (see lib/owner-sets.lua)
-- ARGV[2 + 2i] shard id of the i-th entry
-- ARGV[3 + 2i] lease token of the i-th entry
--
-- Returns one reply per entry, in order, each { code, field, value, ... } as renew-lease.lua returns it:
--   0  OK        renewed
--   4  NOT_HELD  the lease is absent, or has another owner or token: the caller lost it
if redis.replicate_commands then redis.replicate_commands() end

-- @include lib/lease-hash.lua
-- @include lib/server-time.lua
-- @include lib/owner-sets.lua

local owner = ARGV[1]
local timeout = rfc3339_after(tonumber(ARGV[2]))
local replies = {}
for i = 1, #KEYS do
  local shard_id = ARGV[2 + 2 * i]
  local lease, flat = load_lease(KEYS[i])
  if #flat == 0 or lease['AssignedTo'] ~= owner or lease['LeaseToken'] ~= ARGV[3 + 2 * i] then
    replies[i] = with_hash(4, flat)
  else
    redis.call('HSET', KEYS[i], 'LeaseTimeout', timeout)
    redis.call('HINCRBY', KEYS[i], 'LeaseCounter', 1)
    move_owner(ARGV[3], shard_id, nil, owner)
    replies[i] = with_hash(0, redis.call('HGETALL', KEYS[i]))
  end
end
return replies

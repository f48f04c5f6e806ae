-- coordinator-lease.lua: takes, renews or releases the coordinator (leader) lease of the application, atomically.
-- The same transitions as a shard lease: LeaseCounter + 1 on each; take conditional on the counter the caller
-- watched; renew and release conditional on owner and token.
--
-- KEYS[1]  the coordinator lease hash     e.g. kcl:orders:leader (fields AssignedTo, LeaseCounter, LeaseToken)
-- ARGV[1]  'take', 'renew' or 'release'
-- ARGV[2]  worker id (non-empty)
-- ARGV[3]  take: the counter the caller observed (0 when absent); renew, release: the lease token of its tenure
-- ARGV[4]  take: the new lease token
--
-- Returns { code, field, value, ... } with the hash (after the write on success):
--   0  OK             done
--   1  UNCHANGED      release: nobody holds it (absent or released): nothing to do
--   2  COUNTER_MOVED  take: the stored counter differs from ARGV[3]
--   4  NOT_HELD       renew, release: another worker holds it, another token, or (renew) nobody holds it
-- @include lib/lease-hash.lua

local lease, flat = load_lease(KEYS[1])
local op = ARGV[1]
if op == 'take' then
  local counter = tonumber(lease['LeaseCounter'] or '0') or 0
  if counter ~= tonumber(ARGV[3]) then
    return with_hash(2, flat)
  end
  redis.call('HSET', KEYS[1], 'AssignedTo', ARGV[2], 'LeaseToken', ARGV[4])
elseif op == 'release' and (lease['AssignedTo'] or '') == '' then
  return with_hash(1, flat)
elseif lease['AssignedTo'] ~= ARGV[2] or lease['LeaseToken'] ~= ARGV[3] then
  return with_hash(4, flat)
elseif op == 'release' then
  redis.call('HDEL', KEYS[1], 'AssignedTo', 'LeaseToken')
end
redis.call('HINCRBY', KEYS[1], 'LeaseCounter', 1)
return with_hash(0, redis.call('HGETALL', KEYS[1]))

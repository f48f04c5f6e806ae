-- lib/lease-hash.lua: helpers included (by "-- @include") into the lease scripts; not a script of its own.
--
-- load_lease(key)       -> lease (field -> value table), flat (HGETALL reply: field, value, field, value, ...)
-- with_hash(code, flat) -> { code, field, value, ... }: the reply shape of every lease script
local function load_lease(key)
  local flat = redis.call('HGETALL', key)
  local lease = {}
  for i = 1, #flat, 2 do
    lease[flat[i]] = flat[i + 1]
  end
  return lease, flat
end

local function with_hash(code, flat)
  local out = { code }
  for i = 1, #flat do
    out[i + 1] = flat[i]
  end
  return out
end

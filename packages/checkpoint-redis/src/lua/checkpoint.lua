-- checkpoint.lua: writes a checkpoint, only while the caller still holds the lease and never backwards, atomically.
--
-- KEYS[1]  lease hash of the shard           e.g. kcl:orders:shard:shardId-000000000001
-- ARGV[1]  owner the caller believes it is (worker id; '' never matches)
-- ARGV[2]  lease token of the caller's tenure ('' matches only a lease without token, as go-kcl writes them)
-- ARGV[3]  checkpoint: a sequence number (decimal, no leading zeros, up to 129 digits) or SHARD_END
-- ARGV[4]  sub-sequence number inside a KPL aggregate (integer >= 0), or '' for none (the whole record)
--
-- Succeeds only if AssignedTo = ARGV[1] and LeaseToken = ARGV[2], and the checkpoint does not move backwards:
-- - SHARD_END is final: after it only SHARD_END again (a no-op);
-- - SHARD_END may follow any sequence number;
-- - a sequence number must not be before the stored one: compared as exact big integers (shorter is smaller, equal
--   lengths compare as strings), then by sub-sequence number, where none (the whole record) is after every
--   sub-sequence number of that record. The stored checkpoint again is allowed (a retried write succeeds).
-- Then sets Checkpoint and SubSequenceNumber (deleted for ''). LeaseCounter is not changed.
--
-- Returns { code } on success, { code, field, value, ... } with the stored hash otherwise:
--   0  OK            written
--   4  NOT_HELD      the lease is absent, unowned, or has another owner or token: nothing was written
--   8  OUT_OF_ORDER  the checkpoint would move backwards (or away from SHARD_END): nothing was written
-- @include lib/lease-hash.lua

local lease, flat = load_lease(KEYS[1])
local owner = lease['AssignedTo'] or ''
if owner == '' or owner ~= ARGV[1] or (lease['LeaseToken'] or '') ~= ARGV[2] then
  return with_hash(4, flat)
end

local stored = lease['Checkpoint'] or ''
local new = ARGV[3]
if stored == 'SHARD_END' then
  if new ~= 'SHARD_END' then
    return with_hash(8, flat)
  end
elseif stored ~= '' and new ~= 'SHARD_END' then
  local backwards
  if #stored ~= #new then
    backwards = #stored > #new
  elseif stored ~= new then
    -- byte by byte (Lua's '<' on strings follows the server's collation locale)
    for i = 1, #new do
      local s, n = string.byte(stored, i), string.byte(new, i)
      if s ~= n then
        backwards = s > n
        break
      end
    end
  else
    -- the same record: '' (or a malformed stored value) is the whole record, after every sub-sequence number
    local stored_sub = tonumber(lease['SubSequenceNumber'] or '')
    local new_sub = tonumber(ARGV[4])
    if new_sub == nil then
      backwards = false
    else
      backwards = stored_sub == nil or stored_sub > new_sub
    end
  end
  if backwards then
    return with_hash(8, flat)
  end
end

redis.call('HSET', KEYS[1], 'Checkpoint', new)
if ARGV[4] == '' then
  redis.call('HDEL', KEYS[1], 'SubSequenceNumber')
else
  redis.call('HSET', KEYS[1], 'SubSequenceNumber', ARGV[4])
end
return { 0 }

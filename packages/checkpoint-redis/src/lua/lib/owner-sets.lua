-- lib/owner-sets.lua: helper included (by "-- @include") into the lease scripts; not a script of its own.
--
-- Every script that changes a lease's AssignedTo keeps the per-owner sets in step, so a worker can list its own
-- leases without reading the whole table. The set of worker W is the key <owner prefix> .. W, e.g.
-- kcl:orders:owner:worker-1 (kcl:{orders}:owner:worker-1 with a hash tag, the same slot as every other key of the
-- application, which is why a script may name it from the prefix it is given).
--
-- move_owner(prefix, shard_id, from, to): removes shard_id from the set of `from` and adds it to the set of `to`
-- (either may be nil or '' for "no owner").
local function move_owner(prefix, shard_id, from, to)
  if from ~= nil and from ~= '' and from ~= to then
    redis.call('SREM', prefix .. from, shard_id)
  end
  if to ~= nil and to ~= '' then
    redis.call('SADD', prefix .. to, shard_id)
  end
end

/**
 * reset-lease.lua: `kcl reset` moves the checkpoint of one lease, atomically (Redis lease store).
 *
 * KEYS[1]  lease hash of the shard                 e.g. kcl:orders:shard:shardId-000000000001
 * ARGV[1]  LeaseCounter the CLI observed (integer >= 0; a missing counter counts as 0)
 * ARGV[2]  new checkpoint: a sequence number, TRIM_HORIZON or LATEST
 * ARGV[3]  prefix of the per-owner sets           e.g. kcl:orders:owner:
 * ARGV[4]  shard id
 * ARGV[5..10] field names: Checkpoint, LeaseCounter, SubSequenceNumber, AssignedTo, LeaseToken, LeaseTimeout
 * ARGV[11] the SHARD_END value
 *
 * Only if the hash exists, its counter still equals ARGV[1] and its checkpoint is not SHARD_END: sets the checkpoint,
 * deletes the sub-sequence number, owner, token and lease timeout, increments the counter and removes the shard id
 * from the former owner's set (the set the backend's scripts keep per owner).
 *
 * Returns: 0 OK, 1 ABSENT (no lease), 2 CHANGED (counter moved on: nothing written), 3 SHARD_END (nothing written).
 */
export const RESET_LEASE_SCRIPT = `
local checkpointField, counterField, subField, ownerField, tokenField, timeoutField = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 1
end
local stored = redis.call('HMGET', KEYS[1], counterField, checkpointField, ownerField)
local counter = tonumber(stored[1] or '0') or 0
if counter ~= tonumber(ARGV[1]) then
  return 2
end
if stored[2] == ARGV[11] then
  return 3
end
redis.call('HSET', KEYS[1], checkpointField, ARGV[2])
redis.call('HDEL', KEYS[1], subField, ownerField, tokenField, timeoutField)
redis.call('HINCRBY', KEYS[1], counterField, 1)
local owner = stored[3]
if owner and owner ~= '' then
  redis.call('SREM', ARGV[3] .. owner, ARGV[4])
end
return 0
`;

/** Return codes of {@link RESET_LEASE_SCRIPT}. */
export const RESET_LEASE_RESULT = Object.freeze({ ok: 0, absent: 1, changed: 2, shardEnd: 3 });

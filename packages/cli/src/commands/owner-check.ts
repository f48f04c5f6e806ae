/**
 * The safety check of `reset` and `release`: a lease with an owner is watched for `--failover-ms` on the CLI's
 * monotonic clock; if its counter moves, a live worker holds it and the command refuses (unless `--force`).
 */
import type { ShardStatus } from '@kcl/core';
import type { CliOptions } from '../args';
import { LeaseNotFoundError, LiveOwnerError } from '../errors';
import { watchLeaseCounters } from '../liveness';
import type { CliIo } from '../output';
import type { LeaseStoreAccess } from '../stores/lease-store';

/** Reads the lease of `shardId`. */
export async function readLease(store: LeaseStoreAccess, shardId: string): Promise<ShardStatus> {
  const lease = (await store.listLeases()).find((l) => l.id === shardId);
  if (!lease) throw new LeaseNotFoundError(shardId);
  return lease;
}

/**
 * Returns the lease as last read once it is safe to act on: unowned, or owned by a worker whose counter stood still
 * for more than `--failover-ms`. With a live owner throws LiveOwnerError, unless `--force` (then a warning).
 */
export async function checkOwner(store: LeaseStoreAccess, options: CliOptions, shardId: string, io: CliIo): Promise<ShardStatus> {
  const lease = await readLease(store, shardId);
  if (lease.assignedTo === undefined) return lease;
  if (!options.json) io.err(`shard ${shardId} is owned by ${lease.assignedTo}: watching its lease counter for ${options.failoverMillis} ms ...`);
  const watch = await watchLeaseCounters(
    async () => {
      const current = (await store.listLeases()).find((l) => l.id === shardId);
      return current ? [current] : [];
    },
    { millis: options.failoverMillis, stopOnChangeOf: new Set([shardId]) },
  );
  const latest = watch.leases.find((l) => l.id === shardId);
  if (!latest) throw new LeaseNotFoundError(shardId);
  if (watch.observations.get(shardId)?.changed && latest.assignedTo !== undefined) {
    if (!options.force) throw new LiveOwnerError(shardId, latest.assignedTo, watch.watchedMillis);
    io.err(`warning: --force: shard ${shardId} is held by live worker ${latest.assignedTo}; acting anyway`);
  }
  return latest;
}

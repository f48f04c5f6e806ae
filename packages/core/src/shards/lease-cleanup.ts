import type { Checkpointer } from '../checkpoint/checkpointer';
import { SHARD_END, type ShardStatus } from '../checkpoint/shard-status';
import { isKclError } from '../errors';
import type { Logger } from '../logger/logger';
import { childrenByParent } from './shard-lineage';
import type { ShardInfo, ShardRegistry } from './shard-registry';

/** Why a lease is kept (or `remove`), as decided by {@link classifyLeaseForCleanup}. */
export type LeaseCleanupDecision = 'remove' | 'listed' | 'notShardEnd' | 'noKnownChildren' | 'childWithoutLease';

/** What one cleanup looks at. */
export interface LeaseCleanupInput {
  /** Every lease row, as just read. */
  leases: ReadonlyMap<string, ShardStatus>;
  /** The complete ListShards answer of this shard sync (must not be empty: see {@link findRemovableLeases}). */
  listing: readonly ShardInfo[];
  /** The shard registry AFTER that listing was applied (it also knows children reported by ChildShards). */
  registry: ShardRegistry;
}

/**
 * Decides whether the lease of `shardId` may be removed (the Java KCL's rule for leases of shards that are gone):
 * - the shard is not in the ListShards answer nor otherwise known (it was trimmed after the retention period), AND
 * - the lease is checkpointed at SHARD_END (a lease that is not finished is never removed, whatever ListShards
 *   says), AND
 * - the shard has at least one known child and every known child has a lease row, so the lineage stays in the lease
 *   table: a child's row names its parents, which keeps the removed parent from ever being leased again.
 * Children are the shards whose parents include `shardId`, from the listing, ChildShards and the lease rows
 * ({@link childrenByParent}).
 */
export function classifyLeaseForCleanup(
  shardId: string,
  input: LeaseCleanupInput,
  children: ReadonlyMap<string, ReadonlySet<string>>,
  listedIds: ReadonlySet<string>,
): LeaseCleanupDecision {
  if (listedIds.has(shardId) || input.registry.has(shardId)) return 'listed';
  if (input.leases.get(shardId)?.checkpoint !== SHARD_END) return 'notShardEnd';
  const known = children.get(shardId);
  if (!known || known.size === 0) return 'noKnownChildren';
  for (const child of known) if (!input.leases.has(child)) return 'childWithoutLease';
  return 'remove';
}

/**
 * Ids of the leases that {@link classifyLeaseForCleanup} allows to remove. Returns nothing for an empty listing:
 * a stream always has an open shard, so an empty answer (a deleted and re-created stream, a faulty proxy) must never
 * wipe the table.
 */
export function findRemovableLeases(input: LeaseCleanupInput): string[] {
  if (input.listing.length === 0) return [];
  const listedIds = new Set(input.listing.map((s) => s.shardId));
  const children = childrenByParent(input.registry, input.leases);
  const removable: string[] = [];
  for (const id of input.leases.keys()) {
    if (classifyLeaseForCleanup(id, input, children, listedIds) === 'remove') removable.push(id);
  }
  return removable.sort();
}

/** Options of {@link removeFinishedLeases}. */
export interface RemoveFinishedLeasesOptions {
  checkpointer: Checkpointer;
  listing: readonly ShardInfo[];
  registry: ShardRegistry;
  logger: Logger;
  /** A removal failed (the others are still tried; the lease is tried again at the next shard sync). */
  onError?: ((error: unknown, shardId: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Reads the lease table and removes (`removeLeaseInfo`) the leases {@link findRemovableLeases} selects. Every worker
 * may do this at every shard sync: removing a lease that another worker already removed is no error. The store
 * deletes a lease only while it is at SHARD_END, so a lease that was removed and re-created after this worker read
 * the table is kept (LeaseNotFinishedError, logged at info, not reported as an error).
 * @returns the ids of the leases removed
 * @throws what `listLeases` throws (nothing is removed then)
 */
export async function removeFinishedLeases(options: RemoveFinishedLeasesOptions): Promise<string[]> {
  const { checkpointer, listing, registry, logger, signal } = options;
  if (listing.length === 0) {
    logger.warn('ListShards returned no shard: lease cleanup skipped');
    return [];
  }
  const rows = await checkpointer.listLeases();
  const leases = new Map(rows.map((row) => [row.id, row]));
  const removable = findRemovableLeases({ leases, listing, registry });
  const removed: string[] = [];
  for (const shardId of removable) {
    if (signal?.aborted) break;
    try {
      await checkpointer.removeLeaseInfo(shardId);
      removed.push(shardId);
    } catch (error) {
      if (isKclError(error) && error.code === 'LEASE_NOT_FINISHED') {
        // The store deletes only leases at SHARD_END: this one was removed and re-created since the table was read.
        // Keeping it is the right outcome, not a failure.
        logger.info('kept a lease that is no longer finished (it was re-created since the table was read)', { shardId });
        continue;
      }
      logger.warn('removing the lease of a trimmed shard failed; trying again at the next shard sync', { shardId, error });
      options.onError?.(error, shardId);
    }
  }
  if (removed.length > 0) {
    logger.info('removed the leases of finished shards that are gone from the stream', { removed });
  }
  return removed;
}

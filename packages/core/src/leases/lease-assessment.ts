import { SHARD_END, type ShardStatus } from '../checkpoint/shard-status';
import type { ShardRegistry } from '../shards/shard-registry';
import { finishedWithoutLease, unfinishedParents } from '../shards/shard-lineage';
import type { LeaseObserver } from './lease-observer';

/** Why a lease is available to this worker, in the order the taker prefers them. */
export type AvailableKind = 'claimedForMe' | 'new' | 'unowned' | 'expired';

export interface AvailableLease {
  shardId: string;
  kind: AvailableKind;
  /** The lease row as read (undefined when the shard has no lease yet). */
  lease: ShardStatus | undefined;
}

/** One look at the lease table through this worker's eyes. */
export interface LeaseAssessment {
  /** Shards that need a worker now: known to the stream, not at SHARD_END, every parent finished. */
  leasable: string[];
  /** Workers that hold a live (not expired) lease on a leasable shard, plus this worker. */
  workers: Set<string>;
  /** Live leases per OTHER worker (this worker's own load is what it holds). */
  loadByWorker: Map<string, ShardStatus[]>;
  /** `min(ceil(leasable / workers), maxLeasesForWorker)`. */
  target: number;
  /** Leases this worker may take now, best first within each kind (kinds in {@link AvailableKind} order). */
  available: AvailableLease[];
  /** Smallest time (ms) until a live lease of another worker expires if not renewed; undefined if none. */
  nextExpiryMillis: number | undefined;
}

export interface AssessmentInput {
  workerId: string;
  leases: ReadonlyMap<string, ShardStatus>;
  registry: ShardRegistry;
  observer: LeaseObserver;
  /** Shards this worker has a lease handle for (active or still stopping): never offered again. */
  heldIds: ReadonlySet<string>;
  /** Shards this worker saw end since the table was last read. */
  endedLocally: ReadonlySet<string>;
  maxLeasesForWorker: number;
  /** A lease left unowned with a claim by another worker may be taken only once this returns true. */
  isClaimStale: (lease: ShardStatus) => boolean;
  random?: () => number;
}

/**
 * Classifies every shard for the taker and the stealer. Pure: reads the inputs, changes nothing.
 *
 * - Candidates are the shards of the stream (ListShards and ChildShards): a lease row for a shard the stream no longer
 *   has is ignored. A shard is leasable unless it is at SHARD_END, one of its parents is not finished, or it is a
 *   closed shard without a lease row whose children all have one (its lease was removed by the lease cleanup).
 * - Fair share: `target = ceil(leasable / active workers)` (this worker included), capped by maxLeasesForWorker.
 * - Available: no lease row yet (`new`); unowned (`unowned`, or `claimedForMe` if this worker claimed it), except one
 *   claimed by another worker until that claim is stale; owned by anyone (another worker, or a former incarnation of
 *   this worker id) only once the LeaseObserver says it expired.
 */
export function assessLeases(input: AssessmentInput): LeaseAssessment {
  const { workerId, leases, registry, observer, heldIds } = input;
  const lineage = { registry, leases, endedLocally: input.endedLocally, finishedWithoutLease: finishedWithoutLease(registry, leases) };
  const random = input.random ?? Math.random;
  const leasable: string[] = [];
  const loadByWorker = new Map<string, ShardStatus[]>();
  const byKind: Record<AvailableKind, AvailableLease[]> = { claimedForMe: [], new: [], unowned: [], expired: [] };
  let nextExpiryMillis: number | undefined;

  for (const shard of registry.all()) {
    const id = shard.shardId;
    const lease = leases.get(id);
    if (lease?.checkpoint === SHARD_END || input.endedLocally.has(id)) continue;
    if (!lease && lineage.finishedWithoutLease.has(id)) continue;
    if (unfinishedParents(id, lineage).length > 0) continue;
    leasable.push(id);
    if (heldIds.has(id)) continue;
    if (!lease) {
      byKind.new.push({ shardId: id, kind: 'new', lease });
      continue;
    }
    if (lease.assignedTo === undefined) {
      if (lease.claimRequest === workerId) byKind.claimedForMe.push({ shardId: id, kind: 'claimedForMe', lease });
      else if (lease.claimRequest === undefined || input.isClaimStale(lease)) byKind.unowned.push({ shardId: id, kind: 'unowned', lease });
      continue;
    }
    if (observer.isExpired(id)) {
      byKind.expired.push({ shardId: id, kind: 'expired', lease });
      continue;
    }
    const owner = lease.assignedTo;
    if (owner !== workerId) {
      const list = loadByWorker.get(owner);
      if (list) list.push(lease);
      else loadByWorker.set(owner, [lease]);
    }
    const left = observer.millisUntilExpiry(id);
    if (left !== undefined && (nextExpiryMillis === undefined || left < nextExpiryMillis)) nextExpiryMillis = left;
  }

  const workers = new Set<string>(loadByWorker.keys());
  workers.add(workerId);
  const target = Math.min(Math.ceil(leasable.length / workers.size), input.maxLeasesForWorker);
  const available = [...byKind.claimedForMe, ...shuffle([...byKind.new, ...byKind.unowned], random), ...shuffle(byKind.expired, random)];
  return { leasable, workers, loadByWorker, target, available, nextExpiryMillis };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}

import type { ShardStatus } from '../checkpoint/shard-status';

/** What the leader knows when it plans one round (every field is a snapshot; the planner changes nothing). */
export interface BalanceInput {
  /**
   * Shards that need a worker now, from {@link assessLeases} (parents before children: a child whose parent is not
   * finished is not leasable yet, so it is never assigned before its parents are done).
   */
  leasable: readonly string[];
  /** The lease table as read this round (shard id -> row); a leasable shard without a row is new. */
  leases: ReadonlyMap<string, ShardStatus>;
  /** Workers whose heartbeat counter moved within the failover time (they may receive leases). */
  liveWorkers: readonly string[];
  /** The observer's verdict: the lease's counter has not moved for the failover time (or it is unowned). */
  isExpired: (shardId: string) => boolean;
  /** `maxLeasesForWorker`: no worker is planned above it. */
  maxLeasesForWorker: number;
  /** Shards moved (assigned or handed over) within the last failover time: never claimed again yet. */
  recentlyMoved: ReadonlySet<string>;
  /**
   * True when `workerId` must not receive `shardId` now (e.g. the leader still has a consumer of it stopping).
   * @defaultValue every worker may receive every shard
   */
  cannotReceive?: (workerId: string, shardId: string) => boolean;
  /** Ask over-loaded workers to hand leases to under-loaded ones (`enableLeaseStealing`). */
  balance: boolean;
}

/** Give a new, unowned or expired lease to `to` (a take on its behalf at the observed counter). */
export interface Assignment {
  shardId: string;
  to: string;
  kind: 'new' | 'unowned' | 'expired';
  /** The row as read (undefined for a new shard): its counter is the one to take it at. */
  lease: ShardStatus | undefined;
}

/** Ask `from` to hand the lease of `shardId` over to `to` (claimShard; the owner transfers it after its batch). */
export interface Claim {
  shardId: string;
  from: string;
  to: string;
  lease: ShardStatus;
}

export interface BalancePlan {
  assignments: Assignment[];
  claims: Claim[];
  /** Each worker's target (workers that own live leases included, even without a heartbeat). */
  targets: Map<string, number>;
  /**
   * Live leases per worker before this plan (owners of live leases, plus every live worker with 0), counting the
   * hand-offs already asked for (a claim by a live worker) as done.
   */
  loads: Map<string, number>;
}

/**
 * Plans one leader round. Pure and deterministic (ties broken by worker id / shard id).
 *
 * Workers: the live ones plus any owner of a live (not expired) leasable lease. Targets: `floor(L / n)` for every
 * worker and `ceil` for `L mod n` of them - the most loaded first, so the fewest leases move - each capped by
 * `maxLeasesForWorker`. So targets differ by at most 1 and add up to L unless capped.
 *
 * 1. Assignments: every new, unowned or expired leasable lease goes to the live worker with the largest deficit
 *    (target - load, then the lowest load, then the id), while some live worker is below its target.
 * 2. Claims (with `balance` only): a worker above its target gives at most its excess, a live worker below its target
 *    receives at most its deficit; never a lease with a pending claim, never one in `recentlyMoved`, never more than
 *    one claim per lease. A giver never drops below its target, so no worker at or below its share gives.
 */
export function planBalance(input: BalanceInput): BalancePlan {
  const live = new Set(input.liveWorkers);
  const owned = new Map<string, ShardStatus[]>();
  const free: Assignment[] = [];
  for (const shardId of [...input.leasable].sort()) {
    const lease = input.leases.get(shardId);
    if (!lease) {
      free.push({ shardId, to: '', kind: 'new', lease });
    } else if (lease.assignedTo === undefined) {
      free.push({ shardId, to: '', kind: 'unowned', lease });
    } else if (input.isExpired(shardId)) {
      free.push({ shardId, to: '', kind: 'expired', lease });
    } else {
      const list = owned.get(lease.assignedTo);
      if (list) list.push(lease);
      else owned.set(lease.assignedTo, [lease]);
    }
  }

  const loads = new Map<string, number>();
  for (const w of live) loads.set(w, 0);
  for (const [w, list] of owned) loads.set(w, list.length);
  // A hand-off already asked for (a claim by a live worker) counts as done: it is not asked for again.
  for (const [w, list] of owned) {
    for (const lease of list) {
      const to = lease.claimRequest;
      if (to === undefined || to === w || !live.has(to)) continue;
      loads.set(w, (loads.get(w) ?? 0) - 1);
      loads.set(to, (loads.get(to) ?? 0) + 1);
    }
  }
  const targets = computeTargets(input.leasable.length, loads, input.maxLeasesForWorker);

  const projected = new Map(loads);
  const deficit = (w: string): number => (targets.get(w) ?? 0) - (projected.get(w) ?? 0);
  const blocked = input.cannotReceive ?? (() => false);
  const receivers = (shardId: string): string[] =>
    [...live]
      .filter((w) => deficit(w) > 0 && !blocked(w, shardId))
      .sort((a, b) => deficit(b) - deficit(a) || (projected.get(a) ?? 0) - (projected.get(b) ?? 0) || a.localeCompare(b));

  // A free lease whose best receiver may not have it goes to another live worker still below the highest target.
  const highest = Math.min(input.maxLeasesForWorker, Math.max(0, ...targets.values()));
  const fallback = (shardId: string): string | undefined =>
    [...live]
      .filter((w) => (projected.get(w) ?? 0) < highest && !blocked(w, shardId))
      .sort((a, b) => (projected.get(a) ?? 0) - (projected.get(b) ?? 0) || a.localeCompare(b))[0];

  const assignments: Assignment[] = [];
  for (const candidate of free) {
    const to = receivers(candidate.shardId)[0] ?? (input.cannotReceive ? fallback(candidate.shardId) : undefined);
    if (to === undefined) continue;
    assignments.push({ ...candidate, to });
    projected.set(to, (projected.get(to) ?? 0) + 1);
  }

  const claims: Claim[] = [];
  if (input.balance) {
    const givers = [...owned.keys()]
      .filter((w) => (projected.get(w) ?? 0) > (targets.get(w) ?? 0))
      .sort((a, b) => (projected.get(b) ?? 0) - (targets.get(b) ?? 0) - ((projected.get(a) ?? 0) - (targets.get(a) ?? 0)) || a.localeCompare(b));
    for (const from of givers) {
      const movable = (owned.get(from) ?? []).filter((l) => l.claimRequest === undefined && !input.recentlyMoved.has(l.id));
      for (const lease of movable) {
        if ((projected.get(from) ?? 0) <= (targets.get(from) ?? 0)) break;
        const to = receivers(lease.id)[0];
        if (to === undefined) continue;
        claims.push({ shardId: lease.id, from, to, lease });
        projected.set(from, (projected.get(from) ?? 0) - 1);
        projected.set(to, (projected.get(to) ?? 0) + 1);
      }
    }
  }
  return { assignments, claims, targets, loads };
}

/**
 * `floor(total / n)` each, plus one for `total mod n` workers (the most loaded first, then by id), capped by `max`.
 */
export function computeTargets(total: number, loads: ReadonlyMap<string, number>, max: number): Map<string, number> {
  const workers = [...loads.keys()].sort((a, b) => (loads.get(b) ?? 0) - (loads.get(a) ?? 0) || a.localeCompare(b));
  const targets = new Map<string, number>();
  const n = workers.length;
  if (n === 0) return targets;
  const floor = Math.floor(total / n);
  let extra = total - floor * n;
  for (const w of workers) {
    targets.set(w, Math.min(max, floor + (extra > 0 ? 1 : 0)));
    if (extra > 0) extra -= 1;
  }
  return targets;
}

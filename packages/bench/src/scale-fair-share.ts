/** When is a lease distribution fair, and when did a phase first reach it. Pure; no I/O. */

/** Each worker must hold within 5 % of shards / workers. */
export const FAIR_SHARE_TOLERANCE = 0.05;

export interface FairShareRange {
  /** shards / workers. */
  share: number;
  /** Fewest leases a worker may hold: floor(share x (1 - tolerance)). */
  min: number;
  /** Most leases a worker may hold: ceil(share x (1 + tolerance)). */
  max: number;
}

/**
 * The range of lease counts each of `workers` workers may hold for `shards` shards. Rounded outwards so that whole
 * numbers can meet it (8 shards over 3 workers: 2 or 3 each).
 */
export function fairShareRange(shards: number, workers: number, tolerance = FAIR_SHARE_TOLERANCE): FairShareRange {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer, got ${shards}`);
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  const share = shards / workers;
  // The epsilon keeps 1000 x 0.95 = 949.9999... from flooring to 949.
  return { share, min: Math.floor(share * (1 - tolerance) + 1e-9), max: Math.ceil(share * (1 + tolerance) - 1e-9) };
}

/**
 * True when every shard is held (the counts add up to `shards`) and every worker's count is in the fair range.
 * With one worker that means: it holds every lease.
 */
export function isFairShare(heldCounts: readonly number[], shards: number, tolerance = FAIR_SHARE_TOLERANCE): boolean {
  if (heldCounts.length === 0) return false;
  const { min, max } = fairShareRange(shards, heldCounts.length, tolerance);
  let total = 0;
  for (const count of heldCounts) {
    if (count < min || count > max) return false;
    total += count;
  }
  return total === shards;
}

/**
 * Follows one phase: the worker counts reported so far, and the first time (after the phase's join) they were fair.
 * Times are in ms on any one monotonic clock.
 */
export class FairShareWatcher {
  private readonly held = new Map<string, number>();
  private joinedAt: number | undefined;
  private reachedAt: number | undefined;
  private members: readonly string[] = [];

  constructor(
    private readonly shards: number,
    private readonly tolerance = FAIR_SHARE_TOLERANCE,
  ) {}

  /** A new phase: these workers take part; fairness is measured from `joinedAt` (the newest worker's start()). */
  startPhase(members: readonly string[], joinedAt: number | undefined): void {
    this.members = [...members];
    this.joinedAt = joinedAt;
    this.reachedAt = undefined;
    for (const id of [...this.held.keys()]) if (!members.includes(id)) this.held.delete(id);
    this.check(joinedAt);
  }

  /** The newest worker called start() at `at` (when that was not known at startPhase). */
  joined(at: number): void {
    if (this.joinedAt === undefined) this.joinedAt = at;
    this.check(at);
  }

  /** Worker `id` reports holding `count` leases at `at`. */
  observe(id: string, count: number, at: number): void {
    this.held.set(id, count);
    this.check(at);
  }

  /** The latest count of every member (0 for one that has not reported). */
  counts(): number[] {
    return this.members.map((id) => this.held.get(id) ?? 0);
  }

  /** ms from the join to the first fair distribution, or undefined when not (yet) reached. */
  reachedAfterMillis(): number | undefined {
    return this.reachedAt === undefined || this.joinedAt === undefined ? undefined : this.reachedAt - this.joinedAt;
  }

  private check(at: number | undefined): void {
    if (this.reachedAt !== undefined || this.joinedAt === undefined || at === undefined) return;
    if (this.members.length === 0 || this.members.some((id) => !this.held.has(id))) return;
    if (isFairShare(this.counts(), this.shards, this.tolerance)) this.reachedAt = Math.max(at, this.joinedAt);
  }
}

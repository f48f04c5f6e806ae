/**
 * Explains in the log why a worker holds no lease or waits, from the lease table read it makes anyway (a take pass or
 * a leader round: no extra lease-store read). An info line is written only when the situation changes, never on every
 * pass:
 * - `waiting for N leases of a previous incarnation to expire (up to X s)`: the table shows leases under this worker
 *   id that this process does not hold (a restarted process with the same id); they are taken again only once they
 *   expire (their counter unchanged for `failoverTimeMillis` on this process's clock).
 * - `all leases are held by other workers`: this worker holds nothing and every shard that needs a worker has a live
 *   lease of another worker (more workers than shards, or `maxLeasesForWorker` reached elsewhere); it waits for one
 *   to expire, be released or be assigned to it.
 * @internal
 */
import { SHARD_END } from '../checkpoint/shard-status';
import type { Logger } from '../logger/logger';
import type { LeaseAssessment } from './lease-assessment';
import type { LeaseObserver } from './lease-observer';
import type { LeaseSnapshot } from './lease-taker';

/** What the worker is waiting for, if anything noteworthy. */
export type WaitSituation =
  | { kind: 'none' }
  | { kind: 'allHeldByOthers'; leases: number; workers: number }
  | { kind: 'previousIncarnation'; leases: number; upToSeconds: number };

export interface WaitInput {
  workerId: string;
  snapshot: LeaseSnapshot;
  assessment: LeaseAssessment;
  observer: LeaseObserver;
  /** Token of each lease this worker holds, by shard id. */
  heldTokens: ReadonlyMap<string, string | undefined>;
  /** Leases this worker holds and renews. */
  activeHeld: number;
  /**
   * With fleet coordination: true for a token of a former incarnation (read at start). A lease under this worker id
   * with any other token not held yet was assigned or handed over to it and is about to be adopted, not waited for.
   */
  isForeignToken?: ((token: string) => boolean) | undefined;
}

/** Classifies one lease table read (pure). */
export function judgeWaitSituation(input: WaitInput): WaitSituation {
  const { workerId, snapshot, assessment, observer, heldTokens } = input;
  let previous = 0;
  let longestMillis = 0;
  for (const lease of snapshot.leases.values()) {
    if (lease.assignedTo !== workerId || lease.checkpoint === SHARD_END) continue;
    if (heldTokens.has(lease.id) && heldTokens.get(lease.id) === lease.leaseToken) continue;
    if (input.isForeignToken && !(lease.leaseToken !== undefined && input.isForeignToken(lease.leaseToken))) continue;
    if (observer.isExpired(lease.id)) continue;
    previous += 1;
    longestMillis = Math.max(longestMillis, observer.millisUntilExpiry(lease.id) ?? 0);
  }
  if (previous > 0) return { kind: 'previousIncarnation', leases: previous, upToSeconds: Math.ceil(longestMillis / 1000) };
  const othersHold = [...assessment.loadByWorker.values()].reduce((sum, leases) => sum + leases.length, 0);
  if (input.activeHeld === 0 && assessment.leasable.length > 0 && assessment.available.length === 0 && othersHold === assessment.leasable.length) {
    return { kind: 'allHeldByOthers', leases: othersHold, workers: assessment.loadByWorker.size };
  }
  return { kind: 'none' };
}

/** Logs a {@link WaitSituation} once each time it changes. */
export class WaitExplainer {
  private lastKey = 'none';

  constructor(private readonly logger: Logger) {}

  /** The latest read showed `situation`: logs it if it differs from the last one. */
  note(situation: WaitSituation): void {
    const key = situation.kind === 'previousIncarnation' ? `${situation.kind}:${situation.leases}` : situation.kind;
    if (key === this.lastKey) return;
    this.lastKey = key;
    switch (situation.kind) {
      case 'previousIncarnation':
        this.logger.info(`waiting for ${situation.leases} leases of a previous incarnation to expire (up to ${situation.upToSeconds} s)`, {
          leases: situation.leases,
          upToSeconds: situation.upToSeconds,
        });
        return;
      case 'allHeldByOthers':
        this.logger.info('all leases are held by other workers', { leases: situation.leases, workers: situation.workers });
        return;
      default:
        this.logger.debug('no longer waiting for leases');
    }
  }
}

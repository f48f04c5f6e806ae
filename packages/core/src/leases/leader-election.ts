import type { Checkpointer } from '../checkpoint/checkpointer';
import { isKclError } from '../errors';
import type { Logger } from '../logger/logger';
import type { MonotonicClock } from './monotonic-clock';

export interface LeaderElectionOptions {
  checkpointer: Checkpointer;
  workerId: string;
  clock: MonotonicClock;
  logger: Logger;
  /** A coordinator lease whose counter has not moved for this long (reader's clock) is expired. */
  failoverTimeMillis: number;
  /** How long the role stays valid after the START of the last successful take or renewal (as for shard leases). */
  validityMillis: number;
  /** This worker became the leader. */
  onElected?: () => void;
  /**
   * This worker stopped being the leader: `taken` (a renewal found another owner), `expired` (not renewed within the
   * validity: a pause, a store that does not answer) or `released` (graceful shutdown).
   */
  onDeposed?: (reason: DeposeReason) => void;
}

export type DeposeReason = 'taken' | 'expired' | 'released';

/**
 * The leader role, fenced by the coordinator lease in the store (see docs/design/fleet-coordination.md).
 *
 * Each {@link tick} (every renewal interval): the leader renews the lease (conditional on owner and token); any other
 * worker reads it and watches its counter on its own monotonic clock, exactly as the LeaseObserver watches a shard
 * lease, and takes it at the observed counter when it is unowned, absent, or has not moved for `failoverTimeMillis`.
 * The role is valid only while the start of the last successful renewal is less than `validityMillis` ago; a timer
 * deposes the leader when that ends, so a leader that was paused (GC, SIGSTOP) stops acting as leader before anyone
 * else may take over. A lease held by this worker id but not by this process (a former incarnation) is treated like
 * anyone else's.
 *
 * Fast failover of the leader's own shard leases: while a worker is the leader its shard leases are valid only while
 * the role is (see {@link roleIntact}), and the coordinator gives them all up when the role is lost. A worker that
 * takes the role from an expired leader therefore knows that worker's leases are no longer processed, and may treat
 * them as expired at once ({@link inheritedFrom}) during one validity window from its take - no second failover time
 * to observe them. To keep that safe, a deposed worker (or a restarted one that finds the role under its own id)
 * acquires no lease ({@link coolingDown}) until it has seen the role change hands and a further failover time passed.
 */
export class LeaderElection {
  private readonly options: LeaderElectionOptions;
  private token: string | undefined;
  private lastRenewStart = 0;
  private lastCounter = 0;
  private timer: NodeJS.Timeout | undefined;
  private observation: { counter: number; owner: string | undefined; firstSeenAt: number } | undefined;
  private observedOnce = false;
  private inherited: { from: string; takenAt: number } | undefined;
  /** Deposed: waiting for the role to change from `waitForCounter`, then until `until`. */
  private cooling: { waitForCounter?: number; until?: number } | undefined;

  constructor(options: LeaderElectionOptions) {
    this.options = options;
  }

  /** True while this process holds the role and its last renewal is recent enough. */
  isLeader(): boolean {
    if (this.token === undefined) return false;
    if (this.options.clock() - this.lastRenewStart < this.options.validityMillis) return true;
    this.depose('expired');
    return false;
  }

  /** False once this process held the role and its validity ran out (before the timer deposes it): leases stop. */
  roleIntact(): boolean {
    return this.token === undefined || this.options.clock() - this.lastRenewStart < this.options.validityMillis;
  }

  /** True while this worker must not acquire leases (it was deposed, see the class comment). */
  coolingDown(): boolean {
    const c = this.cooling;
    if (!c) return false;
    if (c.until !== undefined && this.options.clock() >= c.until) {
      this.cooling = undefined;
      return false;
    }
    return true;
  }

  /**
   * The worker this leader took the role from after it expired, during one validity window from the take: its leases
   * are no longer processed (it gave them up with the role) and may be taken at once. Undefined otherwise.
   */
  inheritedFrom(): { workerId: string; until: number } | undefined {
    const inherited = this.inherited;
    if (!inherited || !this.isLeader()) return undefined;
    const until = inherited.takenAt + this.options.validityMillis;
    if (this.options.clock() >= until) {
      this.inherited = undefined;
      return undefined;
    }
    return { workerId: inherited.from, until };
  }

  /** One round: renew the role, or look at it and take it if it is free or expired. Throws what the store throws. */
  async tick(): Promise<void> {
    const o = this.options;
    if (this.token !== undefined) {
      const token = this.token;
      const startedAt = o.clock();
      try {
        const renewed = await o.checkpointer.renewCoordinatorLease(o.workerId, token);
        if (this.token === token && this.isLeader()) {
          this.lastRenewStart = Math.max(this.lastRenewStart, startedAt);
          this.lastCounter = renewed.leaseCounter;
          this.armTimer();
        }
        return;
      } catch (error) {
        if (isKclError(error) && error.code === 'LEASE_LOST') {
          if (this.token === token) {
            o.logger.warn('leader role lost: another worker holds the coordinator lease');
            this.depose('taken');
          }
          return;
        }
        this.isLeader();
        throw error;
      }
    }
    const current = await o.checkpointer.getCoordinatorLease();
    const now = o.clock();
    const counter = current?.leaseCounter ?? 0;
    const owner = current?.assignedTo;
    if (!this.observedOnce) {
      this.observedOnce = true;
      // A former incarnation of this worker id held the role: behave as a deposed leader.
      if (owner === o.workerId) this.cooling = { waitForCounter: counter };
    }
    const c = this.cooling;
    if (c && c.until === undefined) {
      // Only another owner (or none) means the role changed hands. A moved counter under this worker's own id is its
      // own renewal landing late (sent before the role lapsed, held by the network): the role is still unclaimed, and
      // a worker taking it later inherits this worker's leases, so keep waiting for that (or take the role back).
      if (owner === o.workerId) c.waitForCounter = counter;
      else this.cooling = { until: now + o.failoverTimeMillis };
    }
    const seen = this.observation;
    if (!seen || seen.counter !== counter || seen.owner !== owner) this.observation = { counter, owner, firstSeenAt: now };
    const expired = owner !== undefined && now - (this.observation as { firstSeenAt: number }).firstSeenAt > o.failoverTimeMillis;
    if (owner !== undefined && !expired) return;
    const startedAt = o.clock();
    let taken;
    try {
      taken = await o.checkpointer.takeCoordinatorLease(o.workerId, counter);
    } catch (error) {
      if (isKclError(error) && error.code === 'LEASE_NOT_ACQUIRED') return;
      throw error;
    }
    if (taken.assignedTo !== o.workerId || taken.leaseToken === undefined) return;
    this.token = taken.leaseToken;
    this.lastRenewStart = startedAt;
    this.lastCounter = taken.leaseCounter;
    // Nobody can have acted as leader between the last holder and this take: no reason to wait any more.
    this.cooling = undefined;
    this.inherited = expired && owner !== o.workerId ? { from: owner, takenAt: startedAt } : undefined;
    this.armTimer();
    o.logger.info('this worker is now the leader', { previous: owner, leaseCounter: taken.leaseCounter });
    try {
      o.onElected?.();
    } catch (error) {
      o.logger.error('onElected threw', { error });
    }
  }

  /** Gives the role up (graceful shutdown): others may take it at once. Never rejects. */
  async release(): Promise<void> {
    const token = this.token;
    if (token === undefined) return;
    this.depose('released');
    try {
      await this.options.checkpointer.releaseCoordinatorLease(this.options.workerId, token);
    } catch (error) {
      this.options.logger.warn('releasing the leader role failed; it will expire instead', { error });
    }
  }

  /** Clears the validity timer (the worker stops). The role itself is left as it is. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private armTimer(): void {
    this.stop();
    const left = this.lastRenewStart + this.options.validityMillis - this.options.clock();
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (this.isLeader()) this.armTimer();
      },
      Math.max(0, left) + 1,
    );
  }

  private depose(reason: DeposeReason): void {
    if (this.token === undefined) return;
    this.token = undefined;
    this.observation = undefined;
    this.inherited = undefined;
    this.stop();
    if (reason === 'taken') this.cooling = { until: this.options.clock() + this.options.failoverTimeMillis };
    if (reason === 'expired') {
      this.cooling = { waitForCounter: this.lastCounter };
      this.options.logger.warn('leader role not renewed within its validity: stepping down and giving every lease up');
    }
    try {
      this.options.onDeposed?.(reason);
    } catch (error) {
      this.options.logger.error('onDeposed threw', { error });
    }
  }
}

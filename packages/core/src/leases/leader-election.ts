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
  /** This worker stopped being the leader (renewal lost, or not renewed within the validity). */
  onDeposed?: (reason: 'taken' | 'expired' | 'released') => void;
}

/**
 * The leader role, fenced by the coordinator lease in the store (see docs/design/fleet-coordination.md).
 *
 * Each {@link tick} (every renewal interval): the leader renews the lease (conditional on owner and token); any other
 * worker reads it and watches its counter on its own monotonic clock, exactly as the LeaseObserver watches a shard
 * lease, and takes it at the observed counter when it is unowned, absent, or has not moved for `failoverTimeMillis`.
 * The role is valid only while the start of the last successful renewal is less than `validityMillis` ago, so a
 * leader that was paused (GC, SIGSTOP) past its validity stops acting as leader before anyone else may take over. A
 * lease held by this worker id but not in this process (a former incarnation) is treated like anyone else's.
 */
export class LeaderElection {
  private readonly options: LeaderElectionOptions;
  private token: string | undefined;
  private lastRenewStart = 0;
  private observation: { counter: number; owner: string | undefined; firstSeenAt: number } | undefined;

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

  /** One round: renew the role, or look at it and take it if it is free or expired. Throws what the store throws. */
  async tick(): Promise<void> {
    const o = this.options;
    if (this.token !== undefined) {
      const startedAt = o.clock();
      try {
        await o.checkpointer.renewCoordinatorLease(o.workerId, this.token);
        if (this.token !== undefined) this.lastRenewStart = Math.max(this.lastRenewStart, startedAt);
        return;
      } catch (error) {
        if (isKclError(error) && error.code === 'LEASE_LOST') {
          o.logger.warn('leader role lost: another worker holds the coordinator lease');
          this.depose('taken');
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
    const seen = this.observation;
    if (!seen || seen.counter !== counter || seen.owner !== owner) this.observation = { counter, owner, firstSeenAt: now };
    const free = owner === undefined || now - (this.observation as { firstSeenAt: number }).firstSeenAt > o.failoverTimeMillis;
    if (!free) return;
    const startedAt = o.clock();
    try {
      const taken = await o.checkpointer.takeCoordinatorLease(o.workerId, counter);
      if (taken.assignedTo !== o.workerId || taken.leaseToken === undefined) return;
      this.token = taken.leaseToken;
      this.lastRenewStart = startedAt;
      o.logger.info('this worker is now the leader', { previous: owner, leaseCounter: taken.leaseCounter });
      try {
        o.onElected?.();
      } catch (error) {
        o.logger.error('onElected threw', { error });
      }
    } catch (error) {
      if (isKclError(error) && error.code === 'LEASE_NOT_ACQUIRED') return;
      throw error;
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

  private depose(reason: 'taken' | 'expired' | 'released'): void {
    if (this.token === undefined) return;
    this.token = undefined;
    this.observation = undefined;
    if (reason === 'expired') this.options.logger.warn('leader role not renewed within its validity: stepping down');
    try {
      this.options.onDeposed?.(reason);
    } catch (error) {
      this.options.logger.error('onDeposed threw', { error });
    }
  }
}

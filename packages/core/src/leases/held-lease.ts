import type { ShardStatus } from '../checkpoint/shard-status';
import { LeaseLostError } from '../errors';
import type { LeaseHandle } from './lease-handle';
import { LeaseLoss, type LeaseLossListener } from './lease-loss';
import type { MonotonicClock } from './monotonic-clock';

/**
 * Why this worker stopped holding a lease (the `reason` of the worker's `leaseLost` event):
 * - `taken`: a renewal found another owner or token (the lease expired and was taken, or was released).
 * - `expired`: the lease could not be renewed in time (the lease store did not answer), so this worker gave it up
 *   before anyone else may take it.
 * - `consumer`: the shard consumer stopped with ZOMBIE on its own (e.g. a checkpoint found the lease gone) or failed.
 * - `released`: released on graceful shutdown.
 * - `handoff`: released to another worker that claimed it (lease stealing).
 * - `abandoned`: left to expire (shutdown grace period over, or the release failed).
 * - `stuck`: left to expire because a processor call ran longer than `maxProcessingTimeMillis`.
 * - `failing`: released because the processor kept failing (processor failure policy `releaseLease`).
 */
export type LeaseLostReason = 'taken' | 'expired' | 'consumer' | 'released' | 'handoff' | 'abandoned' | 'stuck' | 'failing';

/** Lifecycle of a {@link HeldLease}. */
export type HeldLeaseState = 'active' | 'lost' | 'ended' | 'released';

/** The fields a renewal or take brings back that describe ownership (never the checkpoint, which the consumer owns). */
const OWNERSHIP_FIELDS = ['assignedTo', 'leaseCounter', 'leaseToken', 'leaseTimeout', 'claimRequest'] as const;

/**
 * A lease this worker holds: the {@link LeaseHandle} given to the shard consumer. Valid while the start of its last
 * successful renewal (or of the take) is less than `validityMillis` ago on this process's monotonic clock.
 */
export class HeldLease implements LeaseHandle {
  readonly shardId: string;
  readonly shard: ShardStatus;
  handoffRequested = false;
  private stateValue: HeldLeaseState = 'active';
  private lastRenewStart: number;
  private readonly validityMillis: number;
  private readonly clock: MonotonicClock;
  private readonly loss = new LeaseLoss();
  private lostReason: LeaseLostReason | undefined;

  /**
   * @param shard the lease as returned by the take (this object becomes the live lease state)
   * @param takeStartedAt monotonic time at which the take request was sent
   */
  constructor(shard: ShardStatus, takeStartedAt: number, validityMillis: number, clock: MonotonicClock, workerId: string) {
    this.shardId = shard.id;
    this.shard = shard;
    this.lastRenewStart = takeStartedAt;
    this.validityMillis = validityMillis;
    this.clock = clock;
    this.handoffRequested = shard.claimRequest !== undefined && shard.claimRequest !== workerId;
  }

  get lostSignal(): AbortSignal {
    return this.loss.signal;
  }

  get lost(): boolean {
    return this.loss.lost;
  }

  onLost(listener: LeaseLossListener): void {
    this.loss.on(listener);
  }

  offLost(listener: LeaseLossListener): void {
    this.loss.off(listener);
  }

  get state(): HeldLeaseState {
    return this.stateValue;
  }

  /** Why the lease was lost, once it was. */
  get reason(): LeaseLostReason | undefined {
    return this.lostReason;
  }

  /**
   * An extra condition of validity, set by the coordinator: while this worker is the leader its leases are valid only
   * while the leader role is (see LeaderElection).
   */
  validWhile: (() => boolean) | undefined;

  isValid(): boolean {
    return this.stateValue === 'active' && this.clock() - this.lastRenewStart < this.validityMillis && (this.validWhile?.() ?? true);
  }

  /** Milliseconds until {@link isValid} turns false without another renewal (0 when already invalid). */
  millisUntilInvalid(): number {
    return Math.max(0, this.lastRenewStart + this.validityMillis - this.clock());
  }

  /**
   * Applies a successful renewal whose request started at `startedAt`: copies the ownership fields of `renewed`
   * (counter, token, claim...) into the live state, never the checkpoint (the consumer writes that).
   */
  applyRenewal(renewed: ShardStatus, startedAt: number, workerId: string): void {
    if (this.stateValue !== 'active') return;
    const target = this.shard as unknown as Record<string, unknown>;
    const source = renewed as unknown as Record<string, unknown>;
    for (const field of OWNERSHIP_FIELDS) target[field] = source[field];
    this.lastRenewStart = Math.max(this.lastRenewStart, startedAt);
    if (renewed.claimRequest !== undefined && renewed.claimRequest !== workerId) this.handoffRequested = true;
  }

  /** Marks the lease lost and tells {@link onLost} listeners and {@link lostSignal} (once). Returns false if it was not active any more. */
  markLost(reason: LeaseLostReason, cause?: unknown): boolean {
    if (this.stateValue !== 'active') return false;
    this.stateValue = 'lost';
    this.lostReason = reason;
    this.loss.declare(new LeaseLostError(this.shardId, `Lease for shard ${this.shardId} lost (${reason})`, cause === undefined ? {} : { cause }));
    return true;
  }

  /** The shard was read to its end and checkpointed at SHARD_END: the lease is kept but no longer renewed. */
  markEnded(): void {
    if (this.stateValue === 'active') this.stateValue = 'ended';
  }

  /** The lease was (or is being) released. */
  markReleased(reason: LeaseLostReason): void {
    if (this.stateValue === 'active') {
      this.stateValue = 'released';
      this.lostReason = reason;
    }
  }
}

/** A copy of `shard` to send with a renewal, so the store's answer never overwrites the live checkpoint fields. */
export function renewalCopy(shard: ShardStatus): ShardStatus {
  return {
    ...shard,
    parentShardIds: [...shard.parentShardIds],
    hashKeyRange: shard.hashKeyRange ? { ...shard.hashKeyRange } : undefined,
  };
}

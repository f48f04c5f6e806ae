import type { ShardStatus } from '../checkpoint/shard-status';
import type { LeaseLossListener } from './lease-loss';

/**
 * A lease this worker holds, kept alive by the lease renewer. The consumer never renews; it only checks.
 */
export interface LeaseHandle {
  readonly shardId: string;
  /**
   * The live lease state (owner, leaseToken, counter, checkpoint, parents, hash key range). The renewer updates it in
   * place; the consumer's checkpointer passes it to Checkpointer.checkpointSequence (after setting checkpoint /
   * subSequenceNumber on it).
   */
  readonly shard: ShardStatus;
  /**
   * True while the last successful renewal - timed from the START of that renew request on this process's monotonic
   * clock - is recent enough that no other worker can have taken the lease yet (failoverTimeMillis minus a safety
   * margin). Checked before every delivery to the processor, so a process that was paused (GC, SIGSTOP) notices.
   */
  isValid(): boolean;
  /**
   * Aborted when the lease is lost (renewal failed with LeaseLost, or isValid() went false). Made on first read: the
   * consumer's own checks use {@link lost} and {@link onLost}, which cost no AbortSignal per lease.
   */
  readonly lostSignal: AbortSignal;
  /** True once the lease is lost (what `lostSignal.aborted` says, without making the signal). */
  readonly lost: boolean;
  /** Calls `listener` once when the lease is lost (at once if it already is), with the reason. */
  onLost(listener: LeaseLossListener): void;
  /** Removes a listener added with {@link onLost}. */
  offLost(listener: LeaseLossListener): void;
  /**
   * True once another worker asked to steal this lease (claimRequest seen on renewal). The consumer finishes the
   * in-flight batch, then shuts the processor down with REQUESTED (so it may checkpoint) and returns; the lease side
   * then releases the lease for the claimer.
   */
  readonly handoffRequested: boolean;
}

/**
 * `worker.status()`: what this worker is doing right now, assembled from state it keeps anyway (held leases, the shard
 * consumers' activity, the outcome of its lease-store calls). Reads nothing from the lease store or Kinesis.
 */
import type { HeldLease } from '../leases/held-lease';
import type { ShardActivity } from '../consumers/shard-activity';
import type { ProcessorOperation } from '../consumers/processor-watchdog';
import type { LeaseStoreHealth } from './lease-store-health';
import type { WorkerState } from './worker-options';

export type { LeaseStoreHealth, LeaseStoreLastError } from './lease-store-health';

/** One lease this worker holds, in {@link WorkerStatus.leases}. */
export interface HeldLeaseStatus {
  shardId: string;
  /** The shard's checkpoint as this worker last wrote or read it (a sequence number, `SHARD_END`, or undefined). */
  checkpoint: string | undefined;
  /** Sub-sequence number of the checkpoint (KPL aggregated records), if any. */
  subSequenceNumber: number | undefined;
  /** The last MillisBehindLatest Kinesis reported for the shard; undefined before the first read. */
  millisBehindLatest: number | undefined;
  /** Records processed per second over the last 10 s (or since the lease was taken, if later). */
  recordsPerSecond: number;
  /** When the last `processRecords` call returned successfully; undefined before the first. */
  lastBatchAt: Date | undefined;
  /**
   * A record processor call has been running longer than `logWarningForTaskAfterMillis` (the processor watchdog's
   * threshold) and has not returned: the shard makes no progress.
   */
  stuck: boolean;
  /** Which processor call is stuck, when {@link stuck}. */
  stuckOperation: ProcessorOperation | undefined;
  /** The processor's last call threw and is retried after a growing back-off. */
  failing: boolean;
  /** Consecutive failed processor calls (0 when not failing). */
  failedAttempts: number;
  /** Another worker asked for this lease (balancing): it is handed over after the batch in flight. */
  handoffRequested: boolean;
}

/** What {@link Worker.status} returns. A snapshot: plain data, safe to serialise with `JSON.stringify`. */
export interface WorkerStatus {
  workerId: string;
  /** Where the worker is in its life (`new`, `starting`, `running`, `shuttingDown`, `stopped`). */
  state: WorkerState;
  /** Whether this worker is the fleet's leader (assigns leases, syncs shards); false before start and after stop. */
  leader: boolean;
  /** Lease-store health, judged from this worker's own calls (no extra reads). */
  leaseStore: LeaseStoreHealth;
  /** Leases this worker holds and processes, sorted by shard id. */
  leases: HeldLeaseStatus[];
}

/** Builds the per-lease part of the status. */
export function heldLeaseStatuses(held: readonly HeldLease[], activity: ShardActivity): HeldLeaseStatus[] {
  return held
    .filter((lease) => lease.state === 'active')
    .map((lease) => {
      const seen = activity.snapshot(lease.shardId);
      return {
        shardId: lease.shardId,
        checkpoint: lease.shard.checkpoint,
        subSequenceNumber: lease.shard.subSequenceNumber,
        millisBehindLatest: seen?.millisBehindLatest,
        recordsPerSecond: seen?.recordsPerSecond ?? 0,
        lastBatchAt: seen?.lastBatchAt,
        stuck: seen?.stuck ?? false,
        stuckOperation: seen?.stuckOperation,
        failing: seen?.failing ?? false,
        failedAttempts: seen?.failedAttempts ?? 0,
        handoffRequested: lease.handoffRequested,
      };
    })
    .sort((a, b) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0));
}

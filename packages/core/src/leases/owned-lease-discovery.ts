import type { Checkpointer } from '../checkpoint/checkpointer';
import { createShardStatus, SHARD_END, type ShardStatus } from '../checkpoint/shard-status';
import { isKclError } from '../errors';
import type { Logger } from '../logger/logger';
import type { ShardRegistry } from '../shards/shard-registry';
import { LEASE_WRITE_CONCURRENCY, mapBounded } from './bounded-concurrency';
import { renewalCopy } from './held-lease';
import type { MonotonicClock } from './monotonic-clock';

export interface OwnedLeaseDiscoveryOptions {
  checkpointer: Checkpointer;
  workerId: string;
  registry: ShardRegistry;
  clock: MonotonicClock;
  logger: Logger;
  /** Shards with a lease handle in this worker (active or stopping): never adopted again. */
  heldIds: () => ReadonlySet<string>;
  /** Shards this worker saw end. */
  endedLocally: () => ReadonlySet<string>;
  /**
   * Tokens of leases that carried this worker id before this process took part (a former incarnation's tenure, read
   * at start): never adopted; they expire and are assigned again with a new token, as anyone else's.
   */
  foreignTokens: () => ReadonlySet<string>;
  /** The lease was renewed by this worker: start its consumer. `renewStartedAt` starts its validity. */
  onTaken: (shard: ShardStatus, renewStartedAt: number) => void;
  onError: (error: unknown, shardId: string | undefined) => void;
}

/**
 * Finds the leases the leader assigned (or an owner handed over) to this worker: `listOwnedLeases` (a hint, may lag)
 * then, per lease this worker does not track yet, a read of the lease (`fetchCheckpoint`: owner, token, checkpoint)
 * and a renewal conditional on owner and token. Only after that renewal does the consumer start, so the lease's
 * validity is timed from this worker's own successful renewal, as for a take.
 */
export class OwnedLeaseDiscovery {
  private readonly options: OwnedLeaseDiscoveryOptions;
  private readonly adopting = new Set<string>();

  constructor(options: OwnedLeaseDiscoveryOptions) {
    this.options = options;
  }

  /** Reads this worker's own leases and adopts the new ones. Returns the shards adopted. Throws if the read fails. */
  async pass(): Promise<string[]> {
    const owned = await this.options.checkpointer.listOwnedLeases(this.options.workerId);
    return this.adopt(owned.map((o) => o.shardId));
  }

  /**
   * Adopts those of `shardIds` this worker does not track yet (in parallel, at most {@link LEASE_WRITE_CONCURRENCY}
   * at a time). Never rejects.
   */
  async adopt(shardIds: readonly string[]): Promise<string[]> {
    const held = this.options.heldIds();
    const ended = this.options.endedLocally();
    const fresh = shardIds.filter((id) => !held.has(id) && !ended.has(id) && !this.adopting.has(id));
    const results = await mapBounded(fresh, LEASE_WRITE_CONCURRENCY, (id) => this.adoptOne(id));
    return fresh.filter((_, i) => results[i]);
  }

  private async adoptOne(shardId: string): Promise<boolean> {
    const { checkpointer, workerId, registry, clock, logger } = this.options;
    this.adopting.add(shardId);
    try {
      const info = registry.get(shardId);
      const shard = createShardStatus(shardId, {
        hashKeyRange: info?.hashKeyRange ? { ...info.hashKeyRange } : undefined,
        startingSequenceNumber: info?.startingSequenceNumber,
        endingSequenceNumber: info?.endingSequenceNumber,
      });
      try {
        await checkpointer.fetchCheckpoint(shard);
      } catch (error) {
        // No checkpoint yet: the other fields are filled in all the same.
        if (!(isKclError(error) && error.code === 'SEQUENCE_NOT_FOUND')) throw error;
      }
      if (shard.assignedTo !== workerId || shard.leaseToken === undefined || shard.checkpoint === SHARD_END) return false;
      if (this.options.foreignTokens().has(shard.leaseToken)) return false;
      if (this.options.heldIds().has(shardId)) return false;
      const copy = renewalCopy(shard);
      const startedAt = clock();
      try {
        await checkpointer.renewLease(copy, workerId);
      } catch (error) {
        if (isKclError(error) && error.code === 'LEASE_LOST') return false;
        throw error;
      }
      if (this.options.heldIds().has(shardId)) return false;
      for (const field of ['assignedTo', 'leaseCounter', 'leaseToken', 'leaseTimeout', 'claimRequest', 'checkpoint', 'subSequenceNumber'] as const) {
        (shard as unknown as Record<string, unknown>)[field] = copy[field];
      }
      shard.parentShardIds = [...copy.parentShardIds];
      shard.parentShardId = copy.parentShardId;
      logger.debug('lease assigned to this worker adopted', { shardId, leaseCounter: shard.leaseCounter });
      this.options.onTaken(shard, startedAt);
      return true;
    } catch (error) {
      logger.warn('adopting a lease assigned to this worker failed; retrying at the next look', { shardId, error });
      this.options.onError(error, shardId);
      return false;
    } finally {
      this.adopting.delete(shardId);
    }
  }
}

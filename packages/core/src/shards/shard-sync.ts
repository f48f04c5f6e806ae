import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Checkpointer } from '../checkpoint/checkpointer';
import type { Logger } from '../logger/logger';
import { removeFinishedLeases } from './lease-cleanup';
import { listAllShards } from './list-shards';
import type { ShardRegistry } from './shard-registry';

export interface ShardSyncOptions {
  kinesis: KinesisClient;
  streamName: string;
  registry: ShardRegistry;
  logger: Logger;
  /** The lease store; needed for the lease cleanup ({@link ShardSync.sync} with `cleanUpLeases`). */
  checkpointer?: Checkpointer | undefined;
  /** The lease cleanup failed (reading the table or removing a lease); it is tried again at the next sync. */
  onCleanupError?: ((error: unknown, shardId: string | undefined) => void) | undefined;
}

/** Options of {@link ShardSync.sync}. */
export interface ShardSyncRunOptions {
  /**
   * After a complete, non-empty listing, remove the leases of finished shards that are gone from the stream
   * (`lease-cleanup.ts`). Needs a checkpointer. A cleanup failure is reported, never thrown.
   * @defaultValue `false`
   */
  cleanUpLeases?: boolean | undefined;
}

/**
 * Keeps the {@link ShardRegistry} in line with the stream: one complete ListShards listing per {@link sync} call.
 * The worker calls it at start-up, every `shardSyncIntervalMillis` (then with the lease cleanup), and early when a
 * shard ended without reporting its children (kinesalite and older APIs send no ChildShards).
 */
export class ShardSync {
  private readonly options: ShardSyncOptions;

  constructor(options: ShardSyncOptions) {
    this.options = options;
  }

  /**
   * Lists every shard and applies the listing to the registry; with `cleanUpLeases`, then removes the leases of
   * finished shards that are gone from the stream.
   * @returns ids of shards seen for the first time
   * @throws KinesisError when ListShards fails (the registry is left unchanged and nothing is cleaned up)
   */
  async sync(signal?: AbortSignal, runOptions: ShardSyncRunOptions = {}): Promise<string[]> {
    const { kinesis, streamName, registry, logger, checkpointer } = this.options;
    const shards = await listAllShards(kinesis, streamName, signal);
    const added = registry.applyListing(shards);
    if (added.length > 0) {
      logger.info('shard sync found new shards', { streamName, added, total: registry.size });
    } else {
      logger.debug('shard sync done', { streamName, total: registry.size });
    }
    if (runOptions.cleanUpLeases === true && checkpointer !== undefined && !signal?.aborted) {
      try {
        await removeFinishedLeases({
          checkpointer,
          listing: shards,
          registry,
          logger,
          signal,
          onError: (error, shardId) => this.reportCleanupError(error, shardId),
        });
      } catch (error) {
        logger.warn('lease cleanup could not read the lease table; trying again at the next shard sync', { error });
        this.reportCleanupError(error, undefined);
      }
    }
    return added;
  }

  private reportCleanupError(error: unknown, shardId: string | undefined): void {
    try {
      this.options.onCleanupError?.(error, shardId);
    } catch {
      // An error reporter must not break the shard sync.
    }
  }
}

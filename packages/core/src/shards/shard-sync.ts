import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Logger } from '../logger/logger';
import { listAllShards } from './list-shards';
import type { ShardRegistry } from './shard-registry';

export interface ShardSyncOptions {
  kinesis: KinesisClient;
  streamName: string;
  registry: ShardRegistry;
  logger: Logger;
}

/**
 * Keeps the {@link ShardRegistry} in line with the stream: one complete ListShards listing per {@link sync} call.
 * The worker calls it at start-up, every `shardSyncIntervalMillis`, and early when a shard ended without reporting
 * its children (kinesalite and older APIs send no ChildShards).
 */
export class ShardSync {
  private readonly options: ShardSyncOptions;

  constructor(options: ShardSyncOptions) {
    this.options = options;
  }

  /**
   * Lists every shard and applies the listing to the registry.
   * @returns ids of shards seen for the first time
   * @throws KinesisError when ListShards fails (the registry is left unchanged)
   */
  async sync(signal?: AbortSignal): Promise<string[]> {
    const { kinesis, streamName, registry, logger } = this.options;
    const shards = await listAllShards(kinesis, streamName, signal);
    const added = registry.applyListing(shards);
    if (added.length > 0) {
      logger.info('shard sync found new shards', { streamName, added, total: registry.size });
    } else {
      logger.debug('shard sync done', { streamName, total: registry.size });
    }
    return added;
  }
}

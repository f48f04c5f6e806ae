import type { KinesisClientLibConfig } from '../config/kcl-config';
import { createPollingShardConsumer } from '../consumers/polling-shard-consumer';
import { ConfigError } from '../errors';
import type { ShardConsumerFactory } from './internal-contracts';

/** The polling consumer (GetRecords). */
export const pollingShardConsumerFactory: ShardConsumerFactory = (deps) => createPollingShardConsumer(deps);

/**
 * The shard consumer a worker runs when none is injected: polling, unless enhanced fan-out is enabled.
 * @throws ConfigError when enhanced fan-out is enabled: its consumer is not part of this build yet (rather than
 *   silently polling, the worker refuses to start)
 */
export function resolveShardConsumerFactory(config: Pick<KinesisClientLibConfig, 'enableEnhancedFanOutConsumer'>): ShardConsumerFactory {
  if (config.enableEnhancedFanOutConsumer) {
    throw new ConfigError(
      'enableEnhancedFanOutConsumer',
      true,
      'false in this version',
      'The enhanced fan-out consumer is not available yet; use withEnhancedFanOutConsumer(false) to poll with GetRecords.',
    );
  }
  return pollingShardConsumerFactory;
}

import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisClientLibConfig } from '../config/kcl-config';
import { createFanOutShardConsumerFactory, isFanOutShardConsumerFactory } from '../consumers/fan-out-consumer-factory';
import { createPollingShardConsumer } from '../consumers/polling-shard-consumer';
import type { Logger } from '../logger/logger';
import type { ShardConsumerFactory } from '../consumers/shard-consumer';

/** The polling consumer (GetRecords). */
export const pollingShardConsumerFactory: ShardConsumerFactory = (deps) => createPollingShardConsumer(deps);

/**
 * The shard consumer a worker runs when none is injected: polling (GetRecords), or enhanced fan-out
 * (SubscribeToShard) when `enableEnhancedFanOutConsumer` is set. A fan-out factory is made per worker: it holds the
 * worker's stream consumer ARN, shared by all its shard consumers (see {@link prepareShardConsumerFactory}).
 */
export function resolveShardConsumerFactory(
  config: Pick<KinesisClientLibConfig, 'enableEnhancedFanOutConsumer' | 'streamName' | 'enhancedFanOutConsumerName' | 'enhancedFanOutConsumerARN'>,
): ShardConsumerFactory {
  if (config.enableEnhancedFanOutConsumer) return createFanOutShardConsumerFactory(config);
  return pollingShardConsumerFactory;
}

/**
 * Does, once per worker and before any lease is taken, what the factory needs: for enhanced fan-out, registers the
 * stream consumer (or checks the given `enhancedFanOutConsumerARN`) and waits until it is ACTIVE. Nothing for other
 * factories.
 * @throws KinesisError when the fan-out consumer cannot be registered, found or made ACTIVE in time
 * @throws AbortedError when `signal` aborts
 */
export async function prepareShardConsumerFactory(
  factory: ShardConsumerFactory,
  context: { kinesis: KinesisClient; logger: Logger; signal?: AbortSignal | undefined },
): Promise<void> {
  if (isFanOutShardConsumerFactory(factory)) await factory.consumerArn(context.kinesis, context.logger, context.signal);
}

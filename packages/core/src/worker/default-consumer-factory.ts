import { createPollingShardConsumer } from '../consumers/polling-shard-consumer';
import type { ShardConsumerFactory } from './internal-contracts';

/** The shard consumer a worker runs when none is injected: the polling consumer (GetRecords). */
export const defaultShardConsumerFactory: ShardConsumerFactory = (deps) => createPollingShardConsumer(deps);

import { KinesisClientLibConfig, NOOP_LOGGER } from '@kcl/core';
import type { CliOptions } from '../args';

/** Worker id the CLI reads the lease table with (it never takes a lease). */
export const CLI_WORKER_ID = 'kcl-cli';

/**
 * The configuration the backends are built with: the application, stream, table and endpoints of the command line,
 * acting as `workerId` (the CLI itself, or the owner of a lease it releases on that owner's behalf). Nothing is logged.
 * Without --region (allowed for Redis, which needs none) the region is a placeholder no call uses.
 */
export function storeConfig(options: CliOptions, workerId = CLI_WORKER_ID): KinesisClientLibConfig {
  const config = new KinesisClientLibConfig(options.app, options.stream, options.region ?? 'us-east-1', workerId)
    .withTableName(options.table)
    .withLogger(NOOP_LOGGER);
  if (options.endpoint !== undefined) config.withDynamoDBEndpoint(options.endpoint);
  if (options.kinesisEndpoint !== undefined) config.withKinesisEndpoint(options.kinesisEndpoint);
  return config;
}

import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisClientLibConfig } from '../config/kcl-config';
import { checkEndpoint, checkInteger, checkRegion } from '../config/validation';
import { KCL_CONFIG_LIMITS } from '../config/defaults';

/** The config fields the factory reads. */
export type KinesisClientConfigFields = Pick<
  KinesisClientLibConfig,
  'regionName' | 'kinesisEndpoint' | 'kinesisCredentials' | 'maxRetryCount'
>;

/**
 * Builds the Kinesis client the worker uses when none is injected (`Worker.withKinesis`).
 *
 * - `region` from `regionName`, `endpoint` from `kinesisEndpoint`, `credentials` from `kinesisCredentials` (the SDK's
 *   default provider chain when unset).
 * - `http://` endpoints (local emulators) get a `NodeHttpHandler` (HTTP/1.1): the SDK's default HTTP/2 handler, which
 *   SubscribeToShard needs against AWS, does not work over plain HTTP. Other endpoints keep the SDK default.
 * - Retries: the SDK's standard retry strategy (exponential back-off with jitter, throttling errors such as
 *   ProvisionedThroughputExceededException included, a retry quota) with `maxAttempts = maxRetryCount + 1`, so
 *   `withMaxRetryCount` bounds the retries of every Kinesis call. The `AWS_MAX_ATTEMPTS` environment variable is
 *   therefore not consulted; inject your own client to use it.
 *
 * @throws ConfigError if one of those fields is invalid
 */
export function createKinesisClient(config: KinesisClientConfigFields): KinesisClient {
  const clientConfig: KinesisClientConfig = {
    region: checkRegion(config.regionName),
    maxAttempts: checkInteger('maxRetryCount', config.maxRetryCount, 0, KCL_CONFIG_LIMITS.maxRetryCount) + 1,
  };
  if (config.kinesisEndpoint !== undefined) {
    const endpoint = checkEndpoint('kinesisEndpoint', config.kinesisEndpoint);
    clientConfig.endpoint = endpoint;
    if (new URL(endpoint).protocol === 'http:') clientConfig.requestHandler = new NodeHttpHandler();
  }
  if (config.kinesisCredentials !== undefined) clientConfig.credentials = config.kinesisCredentials;
  return new KinesisClient(clientConfig);
}

import { ConfigError } from '@kcl/core';
import { LOCAL_REGION } from '@kcl/testbed';

/** Which lease store an example uses; decides which stand-in the local test bed starts. */
export type ExampleStore = 'dynamodb' | 'redis';

/**
 * `local`: a fresh stream on the local test bed, filled with sample records; the example exits once it consumed
 * them. `aws`: an existing stream (KCL_STREAM_NAME) with the usual AWS configuration; runs until Ctrl-C.
 */
export type ExampleMode = 'local' | 'aws';

/** What the environment variables ask for (no server started yet). */
export interface ExampleSettings {
  mode: ExampleMode;
  region: string;
  /** The existing stream to consume (AWS mode only). */
  streamName: string | undefined;
  /** KCL_KINESIS_ENDPOINT: a Kinesis endpoint that is already running. */
  kinesisEndpoint: string | undefined;
  /** KCL_DYNAMODB_ENDPOINT: a DynamoDB endpoint that is already running (DynamoDB examples only). */
  dynamoDBEndpoint: string | undefined;
  /** KCL_REDIS_URL: a Redis that is already running (Redis examples only). */
  redisUrl: string | undefined;
  /** Lines worth telling the user (e.g. a variable that was ignored). */
  notes: string[];
}

function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function httpUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(name, value, 'an http:// or https:// URL such as http://127.0.0.1:4567');
  }
  return value;
}

function redisUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^(rediss?:\/\/\S+|[^\s/:]+:\d{1,5})$/.test(value)) {
    // Never echo a URL that may carry a password.
    throw new ConfigError('KCL_REDIS_URL', '<hidden>', 'redis://[:password@]host:port[/db], rediss://... or host:port');
  }
  return value;
}

/** True when the usual AWS variables name a region and a source of credentials. */
export function hasAwsConfiguration(env: NodeJS.ProcessEnv): boolean {
  const credentials = ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE'].some((name) => read(env, name) !== undefined);
  return read(env, 'AWS_REGION') !== undefined && credentials;
}

/**
 * Decides between the local test bed and AWS from the environment variables.
 * @throws ConfigError for a malformed endpoint or URL, or AWS mode of a Redis example without KCL_REDIS_URL
 */
export function resolveSettings(env: NodeJS.ProcessEnv, store: ExampleStore): ExampleSettings {
  const notes: string[] = [];
  const stream = read(env, 'KCL_STREAM_NAME');
  const aws = stream !== undefined && hasAwsConfiguration(env);
  if (stream !== undefined && !aws) {
    notes.push('KCL_STREAM_NAME is ignored: AWS mode also needs AWS_REGION and AWS_ACCESS_KEY_ID, AWS_PROFILE or AWS_WEB_IDENTITY_TOKEN_FILE');
  }
  const settings: ExampleSettings = {
    mode: aws ? 'aws' : 'local',
    region: aws ? (read(env, 'AWS_REGION') as string) : LOCAL_REGION,
    streamName: aws ? stream : undefined,
    kinesisEndpoint: httpUrl('KCL_KINESIS_ENDPOINT', read(env, 'KCL_KINESIS_ENDPOINT')),
    dynamoDBEndpoint: store === 'dynamodb' ? httpUrl('KCL_DYNAMODB_ENDPOINT', read(env, 'KCL_DYNAMODB_ENDPOINT')) : undefined,
    redisUrl: store === 'redis' ? redisUrl(read(env, 'KCL_REDIS_URL')) : undefined,
    notes,
  };
  if (aws && store === 'redis' && settings.redisUrl === undefined) {
    throw new ConfigError(
      'KCL_REDIS_URL',
      undefined,
      'the URL of the Redis that holds the leases, e.g. rediss://:password@my-redis.example.com:6379',
      'AWS mode starts no local server.',
    );
  }
  return settings;
}

import { startLocalDynamoDB } from './dynamodb';
import { LocalError, checkRange } from './errors';
import { startLocalKinesis } from './kinesis';
import type { LocalServer } from './listen';
import { startLocalRedis, type LocalRedis } from './redis';

/** The ports `kcl-local up` and startLocalStack() use unless told otherwise. */
export const DEFAULT_PORTS = { kinesis: 4567, dynamodb: 8000, redis: 6379 } as const;

export interface LocalStackOptions {
  /**
   * Kinesis stand-in port on 127.0.0.1; 0 picks a free one.
   * @defaultValue 4567
   */
  kinesisPort?: number;
  /**
   * DynamoDB stand-in port on 127.0.0.1; 0 picks a free one.
   * @defaultValue 8000
   */
  dynamodbPort?: number;
  /**
   * Redis port on 127.0.0.1: a Redis already answering there is used; 0 starts redis-server on a free port.
   * @defaultValue 6379
   */
  redisPort?: number;
  /**
   * Provide Redis at all. When true and no Redis can be had (none answers, redis-server not on the PATH), the stack
   * still starts: `redis` stays undefined and `redisAbsent` says why.
   * @defaultValue true
   */
  redis?: boolean;
  /**
   * Shards the Kinesis stand-in allows in all streams together.
   * @defaultValue 1000
   */
  shardLimit?: number;
}

/** A running local stack. */
export interface LocalStack {
  kinesis: LocalServer;
  dynamodb: LocalServer;
  /** Undefined when Redis was not asked for or is absent. */
  redis?: LocalRedis | undefined;
  /** Why there is no Redis although it was asked for (e.g. redis-server not installed). */
  redisAbsent?: string | undefined;
  /** `KCL_KINESIS_ENDPOINT`, `KCL_DYNAMODB_ENDPOINT` and (with Redis) `KCL_REDIS_URL`. */
  env: Record<string, string>;
  /** Stops what this stack started (a Redis that was already running is left alone); safe to call twice. */
  stop(): Promise<void>;
}

/** True for startLocalRedis()'s error when no Redis answers and redis-server is not installed. */
function isRedisAbsent(error: unknown): boolean {
  return error instanceof LocalError && error.missingProgram !== undefined;
}

/**
 * Starts the Kinesis and DynamoDB stand-ins and provides Redis, all on 127.0.0.1. If a part fails, the parts already
 * started are stopped and the LocalError of the first failure is thrown (a missing Redis is not a failure).
 * @throws LocalError LOCAL_BAD_OPTION, PORT_IN_USE, START_FAILED
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  checkRange('stack', 'kinesisPort', options.kinesisPort, 0, 65535);
  checkRange('stack', 'dynamodbPort', options.dynamodbPort, 0, 65535);
  checkRange('stack', 'redisPort', options.redisPort, 0, 65535);
  const wantRedis = options.redis ?? true;
  const [kinesis, dynamodb, redis] = await Promise.allSettled([
    startLocalKinesis({
      port: options.kinesisPort ?? DEFAULT_PORTS.kinesis,
      ...(options.shardLimit === undefined ? {} : { shardLimit: options.shardLimit }),
    }),
    startLocalDynamoDB({ port: options.dynamodbPort ?? DEFAULT_PORTS.dynamodb }),
    wantRedis ? startLocalRedis({ port: options.redisPort ?? DEFAULT_PORTS.redis }) : Promise.resolve(undefined),
  ]);
  const started = [kinesis, dynamodb, redis].flatMap((result) => (result.status === 'fulfilled' && result.value ? [result.value] : []));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= Promise.allSettled(started.map((server) => server.stop())).then(() => undefined));
  const redisAbsent = redis.status === 'rejected' && isRedisAbsent(redis.reason);
  if (kinesis.status === 'rejected' || dynamodb.status === 'rejected' || (redis.status === 'rejected' && !redisAbsent)) {
    await stop();
    throw [kinesis, dynamodb, redis].flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []))[0];
  }
  const env: Record<string, string> = { KCL_KINESIS_ENDPOINT: kinesis.value.endpoint, KCL_DYNAMODB_ENDPOINT: dynamodb.value.endpoint };
  const stack: LocalStack = { kinesis: kinesis.value, dynamodb: dynamodb.value, env, stop };
  if (redis.status === 'fulfilled' && redis.value) {
    stack.redis = redis.value;
    env.KCL_REDIS_URL = redis.value.url;
  } else if (redis.status === 'rejected') {
    stack.redisAbsent = (redis.reason as Error).message;
  }
  return stack;
}

/**
 * The shard consumer factory of a worker that consumes with enhanced fan-out. It owns the stream consumer ARN of the
 * worker: registered (or the given ARN checked) once, by `consumerArn()` - which the worker calls in `start()` so a
 * registration failure fails the start - or else by the first shard consumer that needs it. Every shard consumer of
 * the worker shares the result. A failed registration is not remembered: the next caller tries again. The registration
 * stops when the signal of the caller that started it aborts (worker shutdown during start()); callers still waiting
 * then start another.
 * @internal
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisClientLibConfig } from '../config/kcl-config';
import type { Logger } from '../logger/logger';
import { isKclError } from '../errors';
import { retry } from '../retry';
import type { ShardConsumerFactory } from './shard-consumer';
import { createFanOutShardConsumer } from './fan-out-shard-consumer';
import type { FanOutShardConsumerOptions } from './fan-out-shard-consumer';
import { registerStreamConsumer } from './stream-consumer-registration';
import type { StreamConsumerRegistrationOptions } from './stream-consumer-registration';

/** The config fields the fan-out factory reads. */
export type FanOutConfigFields = Pick<KinesisClientLibConfig, 'streamName' | 'enhancedFanOutConsumerName' | 'enhancedFanOutConsumerARN'>;

/** A {@link ShardConsumerFactory} for enhanced fan-out, with the worker's shared stream consumer ARN. */
export interface FanOutShardConsumerFactory extends ShardConsumerFactory {
  /**
   * The stream consumer ARN, registering the consumer (or checking the given ARN) on the first call. Concurrent
   * callers share one registration; `signal` stops this caller's wait (and the registration, if this call started it).
   * @throws KinesisError when the registration fails; AbortedError when `signal` aborts
   */
  consumerArn(kinesis: KinesisClient, logger: Logger, signal?: AbortSignal): Promise<string>;
}

/** Tuning that is not part of the public config (tests use short timings). */
export interface FanOutFactoryOptions {
  /** Per-consumer tuning (back-off, subscription intervals). */
  consumer?: Omit<FanOutShardConsumerOptions, 'consumerArn'> | undefined;
  /** Registration tuning (timeout, poll delays). */
  registration?: Pick<StreamConsumerRegistrationOptions, 'timeoutMs' | 'pollBaseMs' | 'pollMaxMs'> | undefined;
}

export function createFanOutShardConsumerFactory(config: FanOutConfigFields, options: FanOutFactoryOptions = {}): FanOutShardConsumerFactory {
  let arn: string | undefined;
  let pending: Promise<string> | undefined;

  const register = (kinesis: KinesisClient, logger: Logger, signal: AbortSignal | undefined): Promise<string> => {
    const attempt = registerStreamConsumer({
      kinesis,
      logger,
      signal,
      streamName: config.streamName,
      consumerName: config.enhancedFanOutConsumerName,
      consumerArn: config.enhancedFanOutConsumerARN,
      ...options.registration,
    }).then(
      (value) => {
        arn = value;
        return value;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    // Callers may stop waiting (their signal): the outcome must never become an unhandled rejection.
    attempt.catch(() => undefined);
    return attempt;
  };

  const consumerArn = async (kinesis: KinesisClient, logger: Logger, signal?: AbortSignal): Promise<string> => {
    for (;;) {
      if (arn !== undefined) return arn;
      const attempt = (pending ??= register(kinesis, logger, signal));
      try {
        return await retry(() => attempt, { retries: 0, signal, shouldRetry: () => false, operation: 'enhanced fan-out consumer registration' });
      } catch (error) {
        // Aborted by the caller that started it while this one still waits: start another registration.
        if (isKclError(error) && error.code === 'ABORTED' && signal?.aborted !== true) continue;
        throw error;
      }
    }
  };

  const factory: ShardConsumerFactory = (deps) =>
    createFanOutShardConsumer(deps, {
      ...options.consumer,
      consumerArn: arn ?? ((signal: AbortSignal) => consumerArn(deps.kinesis, deps.logger, signal)),
    });
  return Object.assign(factory, { consumerArn });
}

/** True for a factory made by {@link createFanOutShardConsumerFactory}. */
export function isFanOutShardConsumerFactory(factory: ShardConsumerFactory): factory is FanOutShardConsumerFactory {
  return typeof (factory as Partial<FanOutShardConsumerFactory>).consumerArn === 'function';
}

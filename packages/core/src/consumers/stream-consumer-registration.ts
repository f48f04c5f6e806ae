/**
 * Finds the enhanced fan-out consumer a worker subscribes with, once per worker (all its shard consumers share it):
 *
 * - `enhancedFanOutConsumerARN` given: DescribeStreamConsumer(ARN) must find it; the worker waits while it is
 *   CREATING and fails when it is missing or DELETING.
 * - Otherwise: DescribeStreamSummary gives the stream ARN, then RegisterStreamConsumer(`enhancedFanOutConsumerName`).
 *   ResourceInUseException means a consumer of that name exists: DescribeStreamConsumer(stream ARN, name) gives its
 *   ARN. A consumer still DELETING is waited out and registered again.
 * - Waiting for ACTIVE polls DescribeStreamConsumer with exponential back-off and full jitter, bounded by a timeout,
 *   and stops at once when the signal aborts. Throttling, 5xx and network failures are retried the same way until
 *   the timeout; any other failure ends with a {@link KinesisError} naming the call, the stream and the consumer.
 *
 * The consumer is never deregistered by @kcl (other workers of the application use it).
 * @internal
 */
import { DescribeStreamConsumerCommand, DescribeStreamSummaryCommand, RegisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { performance } from 'node:perf_hooks';
import { AbortedError, KinesisError } from '../errors';
import type { Logger } from '../logger/logger';
import { sleep } from '../retry';
import { FullJitterBackoff } from '../internal/backoff';
import { classifyKinesisError } from './kinesis-error-kind';

export interface StreamConsumerRegistrationOptions {
  kinesis: KinesisClient;
  streamName: string;
  /** Name to register (or to find) when no ARN is given. */
  consumerName: string;
  /**
   * ARN of an existing consumer: it is checked, not registered.
   * @defaultValue `undefined`
   */
  consumerArn?: string | undefined;
  logger: Logger;
  /**
   * Aborts the registration (worker shutdown): the pending call or wait stops and AbortedError is thrown.
   * @defaultValue none
   */
  signal?: AbortSignal | undefined;
  /**
   * How long to wait in total for the consumer to become ACTIVE (and for retried calls to succeed).
   * @defaultValue `120000`
   */
  timeoutMs?: number | undefined;
  /**
   * First delay between DescribeStreamConsumer polls (then doubled, with full jitter).
   * @defaultValue `250`
   */
  pollBaseMs?: number | undefined;
  /**
   * Longest delay between two polls.
   * @defaultValue `5000`
   */
  pollMaxMs?: number | undefined;
}

/** A consumer as DescribeStreamConsumer / RegisterStreamConsumer describe it. */
interface ConsumerState {
  arn: string;
  /** A `ConsumerStatus` (ACTIVE, CREATING, DELETING) or a status newer than this SDK knows. */
  status: string;
}

/**
 * Registers (or finds) the enhanced fan-out consumer and waits until it is ACTIVE.
 * @returns the consumer ARN to pass to SubscribeToShard
 * @throws KinesisError when the stream or the given consumer does not exist, a call fails for good, or the consumer
 *   is not ACTIVE within `timeoutMs`
 * @throws AbortedError when `signal` aborts
 */
export function registerStreamConsumer(options: StreamConsumerRegistrationOptions): Promise<string> {
  return new StreamConsumerRegistration(options).resolve();
}

class StreamConsumerRegistration {
  private readonly options: StreamConsumerRegistrationOptions;
  private readonly deadline: number;
  private readonly timeoutMs: number;
  private readonly backoff: FullJitterBackoff;
  private lastStatus: string | undefined;

  constructor(options: StreamConsumerRegistrationOptions) {
    this.options = options;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.deadline = performance.now() + this.timeoutMs;
    this.backoff = new FullJitterBackoff(options.pollBaseMs ?? 250, options.pollMaxMs ?? 5_000);
  }

  async resolve(): Promise<string> {
    const { consumerArn, logger, streamName } = this.options;
    if (consumerArn !== undefined) {
      const state = await this.waitWhileCreating({ ConsumerARN: consumerArn }, `consumer ${consumerArn}`);
      if (state === 'not-found') {
        throw new KinesisError(`Enhanced fan-out consumer ${consumerArn} (enhancedFanOutConsumerARN) does not exist`);
      }
      if (state.status !== 'ACTIVE') {
        throw new KinesisError(
          `Enhanced fan-out consumer ${consumerArn} (enhancedFanOutConsumerARN) is ${state.status}: register it again or use another one`,
        );
      }
      logger.info('Using the given enhanced fan-out consumer', { streamName, consumerArn });
      return consumerArn;
    }
    const streamArn = await this.describeStreamArn();
    for (;;) {
      const found = await this.registerOrFind(streamArn);
      const state =
        found === 'not-found' || found.status === 'ACTIVE'
          ? found
          : await this.waitWhileCreating({ ConsumerARN: found.arn }, `consumer ${found.arn}`);
      if (state !== 'not-found' && state.status === 'ACTIVE') {
        logger.info('Using enhanced fan-out consumer', { streamName, consumerName: this.options.consumerName, consumerArn: state.arn });
        return state.arn;
      }
      // Deleted meanwhile, or still DELETING: register it again once it is gone.
      logger.info('Enhanced fan-out consumer is being deleted: registering it again', {
        streamName,
        consumerName: this.options.consumerName,
      });
      await this.wait();
    }
  }

  private async describeStreamArn(): Promise<string> {
    const { kinesis, streamName } = this.options;
    const out = await this.call('DescribeStreamSummary', (http) => kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }), http));
    const arn = out.StreamDescriptionSummary?.StreamARN;
    if (typeof arn !== 'string' || arn.length === 0) {
      throw new KinesisError(`DescribeStreamSummary(${streamName}) returned no StreamARN`);
    }
    return arn;
  }

  /** RegisterStreamConsumer; when the name is taken (ResourceInUse), the existing consumer. */
  private async registerOrFind(streamArn: string): Promise<ConsumerState | 'not-found'> {
    const { kinesis, consumerName, logger, streamName } = this.options;
    try {
      const out = await this.call(
        'RegisterStreamConsumer',
        (http) => kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: consumerName }), http),
        ['ResourceInUseException'],
      );
      const state = toState(out.Consumer, 'RegisterStreamConsumer');
      logger.info('Registered enhanced fan-out consumer', { streamName, consumerName, consumerArn: state.arn, status: state.status });
      return state;
    } catch (error) {
      if (errorName(error) !== 'ResourceInUseException') throw error;
      logger.debug('Enhanced fan-out consumer already registered: looking it up', { streamName, consumerName });
      return this.describe({ StreamARN: streamArn, ConsumerName: consumerName }, `consumer ${consumerName}`);
    }
  }

  /** Polls until the consumer is no longer CREATING. */
  private async waitWhileCreating(
    key: { ConsumerARN: string } | { StreamARN: string; ConsumerName: string },
    what: string,
  ): Promise<ConsumerState | 'not-found'> {
    for (;;) {
      const state = await this.describe(key, what);
      if (state === 'not-found' || state.status !== 'CREATING') return state;
      await this.wait();
    }
  }

  private async describe(
    key: { ConsumerARN: string } | { StreamARN: string; ConsumerName: string },
    what: string,
  ): Promise<ConsumerState | 'not-found'> {
    try {
      const out = await this.call(
        `DescribeStreamConsumer(${what})`,
        (http) => this.options.kinesis.send(new DescribeStreamConsumerCommand(key), http),
        ['ResourceNotFoundException'],
      );
      const state = toState(out.ConsumerDescription, 'DescribeStreamConsumer');
      this.lastStatus = state.status;
      return state;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return 'not-found';
      throw error;
    }
  }

  /**
   * One Kinesis call, retried after throttling / 5xx / network failures until the deadline. Errors named in
   * `passThrough` are rethrown as they are; others become a KinesisError.
   */
  private async call<T>(operation: string, send: (http: { abortSignal?: AbortSignal }) => Promise<T>, passThrough: string[] = []): Promise<T> {
    const { signal } = this.options;
    const http = signal === undefined ? {} : { abortSignal: signal };
    for (;;) {
      this.throwIfAborted();
      try {
        return await send(http);
      } catch (error) {
        this.throwIfAborted();
        if (passThrough.includes(errorName(error))) throw error;
        const kind = classifyKinesisError(error);
        if (kind !== 'throttled' && kind !== 'transient') {
          throw new KinesisError(
            `${operation} failed for stream ${this.options.streamName} (enhanced fan-out consumer ${this.describeConsumer()}): ${describeError(error)}`,
            { cause: error },
          );
        }
        this.options.logger.warn(`${operation} failed, retrying`, { kind, error });
        await this.wait(error);
      }
    }
  }

  /** Sleeps for the next back-off delay; throws when the deadline passed. */
  private async wait(cause?: unknown): Promise<void> {
    const left = this.deadline - performance.now();
    if (left <= 0) {
      throw new KinesisError(
        `Enhanced fan-out consumer ${this.describeConsumer()} of stream ${this.options.streamName} is not ACTIVE after ${this.timeoutMs} ms` +
          (this.lastStatus === undefined ? '' : ` (last status ${this.lastStatus})`),
        { retryable: true, ...(cause === undefined ? {} : { cause }) },
      );
    }
    try {
      await sleep(Math.min(left, Math.max(1, this.backoff.next())), this.options.signal);
    } catch (error) {
      throw new AbortedError('Enhanced fan-out consumer registration was aborted', { cause: error });
    }
  }

  private throwIfAborted(): void {
    const { signal } = this.options;
    if (signal?.aborted) {
      throw new AbortedError('Enhanced fan-out consumer registration was aborted', { cause: signal.reason as unknown });
    }
  }

  private describeConsumer(): string {
    return this.options.consumerArn ?? this.options.consumerName;
  }
}

function toState(consumer: { ConsumerARN?: string | undefined; ConsumerStatus?: string | undefined } | undefined, operation: string): ConsumerState {
  if (typeof consumer?.ConsumerARN !== 'string' || typeof consumer.ConsumerStatus !== 'string') {
    throw new KinesisError(`${operation} returned no consumer ARN or status`);
  }
  return { arn: consumer.ConsumerARN, status: consumer.ConsumerStatus };
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : '';
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

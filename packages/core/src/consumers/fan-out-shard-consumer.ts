/**
 * The per-shard enhanced fan-out consumer: reads one leased shard with SubscribeToShard (records pushed over an
 * HTTP event stream) and drives its record processor exactly as the polling consumer does (shared
 * {@link ShardProcessorDriver}: initialize first, lease check before every delivery, same-batch retry after a growing
 * back-off and the processor failure policy, shutdown with REQUESTED / TERMINATE / ZOMBIE, metrics and events).
 *
 * - Start: the same position as the polling consumer (after the checkpoint, AT the record plus skipping inside a KPL
 *   aggregate, TRIM_HORIZON for a child shard without checkpoint, else the initial position).
 * - Each SubscribeToShardEvent is one batch. After it was delivered, the next subscription would start AFTER its
 *   ContinuationSequenceNumber (never before the last record delivered, never backwards): a subscription lasts at
 *   most 5 minutes (or ends when the server or the network drops it), and the re-subscription neither repeats
 *   delivered records nor skips undelivered ones. At most one SubscribeToShard per second per shard (Kinesis limit).
 * - Shard end: an event without ContinuationSequenceNumber (it carries ChildShards): shutdown(TERMINATE), SHARD_END
 *   written if the processor did not, result TERMINATE with the children.
 * - Failures never end the run while the lease is held: ResourceInUseException (the previous subscription of this
 *   consumer and shard is still open, e.g. just after the lease moved here), LimitExceeded / throttling, 5xx,
 *   network errors, error events in the stream and streams ended without any event are reported and followed by a
 *   re-subscription after an exponential back-off with full jitter. A stream ended by the server after events is
 *   re-subscribed at once.
 * - `maxRecords` and `idleTimeBetweenReadsInMillis` do not apply: Kinesis pushes the records as they arrive.
 * - Stopping is prompt: the subscription's request is aborted on worker shutdown or lease loss (its signal), and on
 *   a hand-off request or an overdue lease (a watchdog), then the processor is shut down (REQUESTED or ZOMBIE).
 */
import type { ExtendedSequenceNumber } from '../checkpoint/shard-status';
import { KinesisError } from '../errors';
import { skipCheckpointed } from '../kpl';
import { compareSequenceNumbers, isValidSequenceNumber } from '../sequence-number';
import type { ShardConsumer, ShardConsumerDeps, ShardConsumerResult } from './shard-consumer';
import { FullJitterBackoff } from '../internal/backoff';
import { toChildShardInfos } from './child-shards';
import { FanOutSubscription } from './fan-out-subscription';
import type { FanOutEvent } from './fan-out-subscription';
import { GetRecordsRateLimiter } from './get-records-rate-limiter';
import { classifyKinesisError } from './kinesis-error-kind';
import { ShardProcessorDriver } from './shard-processor-driver';
import type { Interruption } from './shard-processor-driver';
import { describeStartPosition } from './shard-iterator';
import type { StartPosition } from './shard-iterator';

/** Tuning of a fan-out consumer that is not part of the public config (tests use short timings). */
export interface FanOutShardConsumerOptions {
  /**
   * ARN of the registered (ACTIVE) stream consumer to subscribe with, or how to get it (the worker's shared
   * registration). A failure to get it is reported and retried after a back-off.
   */
  consumerArn: string | ((signal: AbortSignal) => Promise<string>);
  /**
   * Base of the full-jitter back-off after a failed subscription: the n-th consecutive wait is drawn from
   * [0, min(backoffMaxMs, backoffBaseMs * 2^(n-1))].
   * @defaultValue `200`
   */
  backoffBaseMs?: number | undefined;
  /**
   * Cap of one back-off wait.
   * @defaultValue `10000`
   */
  backoffMaxMs?: number | undefined;
  /**
   * Least time between the starts of two SubscribeToShard calls of this shard (Kinesis allows one per second per
   * consumer and shard).
   * @defaultValue `1000`
   */
  subscribeIntervalMs?: number | undefined;
  /**
   * A subscription that brings no event for this long is considered dead and replaced (Kinesis sends an event every
   * few seconds even when there are no records).
   * @defaultValue `60000`
   */
  idleTimeoutMs?: number | undefined;
  /**
   * How often a subscription checks for a hand-off request, an overdue lease or an idle stream.
   * @defaultValue `250`
   */
  checkIntervalMs?: number | undefined;
}

/** What one subscription ended with, when the run must end. */
type SubscriptionOutcome = Interruption | { shardEnd: FanOutEvent };

const OPERATION = 'SubscribeToShard';

/** Creates the fan-out consumer of one lease. Its `run()` never rejects. */
export function createFanOutShardConsumer(deps: ShardConsumerDeps, options: FanOutShardConsumerOptions): ShardConsumer {
  return new FanOutShardConsumer(deps, options);
}

class FanOutShardConsumer implements ShardConsumer {
  private readonly deps: ShardConsumerDeps;
  private readonly options: FanOutShardConsumerOptions;
  private readonly shardId: string;
  private readonly driver: ShardProcessorDriver;
  private readonly backoff: FullJitterBackoff;
  private readonly subscribeLimiter: GetRecordsRateLimiter;
  private running: Promise<ShardConsumerResult> | undefined;
  /** The stream consumer ARN, once known. */
  private consumerArn: string | undefined;
  /** Where the next subscription starts. */
  private position: StartPosition = { type: 'TRIM_HORIZON' };
  /** Set while subscribed AT_SEQUENCE_NUMBER: user records up to here are dropped from the first non-empty event. */
  private pendingSkip: ExtendedSequenceNumber | undefined;

  constructor(deps: ShardConsumerDeps, options: FanOutShardConsumerOptions) {
    this.deps = deps;
    this.options = options;
    if (typeof options.consumerArn === 'string') this.consumerArn = options.consumerArn;
    this.shardId = deps.lease.shardId;
    this.backoff = new FullJitterBackoff(options.backoffBaseMs ?? 200, options.backoffMaxMs ?? 10_000);
    this.subscribeLimiter = new GetRecordsRateLimiter(options.subscribeIntervalMs ?? 1_000);
    this.driver = new ShardProcessorDriver(deps, this.backoff);
  }

  run(): Promise<ShardConsumerResult> {
    this.running ??= this.driver.run(() => this.consume());
    return this.running;
  }

  private async consume(): Promise<ShardConsumerResult> {
    const driver = this.driver;
    const start = await driver.start();
    if ('result' in start) return start.result;
    this.position = start.position;
    for (;;) {
      if (driver.isLeaseLost()) return driver.shutdownZombie();
      if (driver.isStopRequested()) return driver.shutdownRequested();
      const consumerArn = this.consumerArn ?? (await this.resolveConsumerArn());
      if (consumerArn === undefined) continue;
      const outcome = await this.subscribe(consumerArn);
      if (typeof outcome === 'string') return driver.end(outcome);
      if (outcome !== undefined) return driver.shardEnd(toChildShardInfos(outcome.shardEnd.childShards));
    }
  }

  /** Gets the consumer ARN from the worker's registration; undefined after a failure (reported, backed off). */
  private async resolveConsumerArn(): Promise<string | undefined> {
    const source = this.options.consumerArn;
    if (typeof source === 'string') return source;
    const { driver } = this;
    try {
      this.consumerArn = await source(driver.signal);
      this.backoff.reset();
      return this.consumerArn;
    } catch (error) {
      if (driver.signal.aborted) return undefined;
      await driver.backOffAfter(error, 'RegisterStreamConsumer', classifyKinesisError(error, driver.signal));
      return undefined;
    }
  }

  /**
   * One subscription: delivers its events until it ends. Returns an outcome when the run must end; undefined to
   * subscribe again (any back-off already waited).
   */
  private async subscribe(consumerArn: string): Promise<SubscriptionOutcome | undefined> {
    const { driver } = this;
    try {
      await this.subscribeLimiter.acquire(driver.signal);
    } catch {
      return undefined; // aborted: the caller sees why
    }
    const position = this.position;
    this.pendingSkip = position.type === 'AT_SEQUENCE_NUMBER' ? position.skipThrough : undefined;
    this.deps.logger.debug('Subscribing to shard', { shardId: this.shardId, position: describeStartPosition(position) });
    const subscription = new FanOutSubscription({
      kinesis: this.deps.kinesis,
      consumerArn,
      shardId: this.shardId,
      position,
      signal: driver.signal,
      shouldStop: () => driver.isStopRequested() || driver.isLeaseLost(),
      idleTimeoutMs: this.options.idleTimeoutMs ?? 60_000,
      checkIntervalMs: this.options.checkIntervalMs ?? 250,
    });
    let received = 0;
    try {
      for (;;) {
        let event: FanOutEvent | undefined;
        try {
          event = await subscription.next();
        } catch (error) {
          await this.onSubscriptionError(error, subscription);
          return undefined;
        }
        if (event === undefined) {
          await this.onStreamEnded(received);
          return undefined;
        }
        received += 1;
        this.backoff.reset();
        const outcome = await this.deliver(event);
        if (outcome !== undefined) return outcome;
        if (event.continuationSequenceNumber === undefined) return { shardEnd: event };
      }
    } finally {
      subscription.close();
    }
  }

  /** Delivers one event and moves the position past it. */
  private async deliver(event: FanOutEvent): Promise<Interruption | undefined> {
    const { driver } = this;
    const raw = event.records;
    const millisBehindLatest = event.millisBehindLatest;
    if (millisBehindLatest !== undefined) driver.report.metric((m) => m.millisBehindLatest(this.shardId, millisBehindLatest));
    let records = driver.deaggregate(raw);
    if (this.pendingSkip !== undefined && raw.length > 0) {
      records = skipCheckpointed(records, this.pendingSkip);
      this.pendingSkip = undefined;
    }
    const lastSequenceNumber = raw[raw.length - 1]?.SequenceNumber;
    const outcome = await driver.deliver({ records, lastSequenceNumber, millisBehindLatest, fetchedAt: event.receivedAt });
    if (outcome !== undefined) return outcome;
    this.advance(event.continuationSequenceNumber, lastSequenceNumber);
    return undefined;
  }

  /**
   * After a delivered event, the next subscription starts AFTER the later of its continuation number and its last
   * record - never before the current position, and never past a record of an aggregate still to be read (AT
   * position, nothing read yet).
   */
  private advance(continuation: string | undefined, lastRecord: string | undefined): void {
    let next = lastRecord;
    if (continuation !== undefined) {
      if (!isValidSequenceNumber(continuation)) {
        this.deps.logger.warn('SubscribeToShard event with an invalid ContinuationSequenceNumber: ignored', {
          shardId: this.shardId,
          continuation,
        });
      } else if (next === undefined || compareSequenceNumbers(continuation, next) > 0) {
        next = continuation;
      }
    }
    if (next === undefined || !isValidSequenceNumber(next)) return;
    const current = this.position;
    if (current.type === 'AT_SEQUENCE_NUMBER' || current.type === 'AFTER_SEQUENCE_NUMBER') {
      const order = compareSequenceNumbers(next, current.sequenceNumber);
      if (order < 0) return;
      // AT S and nothing read yet: AFTER S would skip the rest of the aggregate S.
      if (order === 0 && current.type === 'AT_SEQUENCE_NUMBER' && lastRecord === undefined) return;
    }
    this.position = { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: next };
  }

  /** The server ended the stream (after 5 minutes, or early). Re-subscribe: at once after events, else backed off. */
  private async onStreamEnded(received: number): Promise<void> {
    if (received > 0) {
      this.deps.logger.debug('Subscription ended: subscribing again', {
        shardId: this.shardId,
        events: received,
        position: describeStartPosition(this.position),
      });
      return;
    }
    const error = new KinesisError(`SubscribeToShard on shard ${this.shardId}: the server ended the subscription without any event`, {
      retryable: true,
    });
    await this.driver.backOffAfter(error, OPERATION, 'transient');
  }

  private async onSubscriptionError(error: unknown, subscription: FanOutSubscription): Promise<void> {
    const { driver } = this;
    if (driver.signal.aborted || subscription.endedBy === 'stop') return; // shutdown, lease lost, hand-off: the caller sees it
    if (subscription.endedBy === 'idle') {
      const idle = new KinesisError(
        `SubscribeToShard on shard ${this.shardId}: no event for ${this.options.idleTimeoutMs ?? 60_000} ms, subscribing again`,
        { retryable: true, cause: error },
      );
      await driver.backOffAfter(idle, OPERATION, 'transient');
      return;
    }
    if (errorName(error) === 'ResourceInUseException') {
      await driver.backOffAfter(error, OPERATION, 'in-use');
      return;
    }
    const kind = classifyKinesisError(error, driver.signal);
    if (kind === 'aborted') return;
    await driver.backOffAfter(error, OPERATION, kind);
  }
}

function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : '';
}

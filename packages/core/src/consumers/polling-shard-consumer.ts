/**
 * The per-shard polling consumer: reads one leased shard with GetShardIterator / GetRecords and drives its record
 * processor through initialize -> processRecords* -> shutdown(REQUESTED | TERMINATE | ZOMBIE).
 *
 * - Start: after the stored checkpoint (AT the record plus skipping inside a KPL aggregate), else TRIM_HORIZON for a
 *   child of a reshard, else the configured initial position. A lease already at SHARD_END is not read.
 * - Polling: at most 5 GetRecords per second (>= 200 ms between call starts), `Limit = maxRecords`. The idle wait
 *   (`idleTimeBetweenReadsInMillis`) only happens when caught up: an empty batch, or a partial batch with
 *   MillisBehindLatest 0; after a full batch or one behind the tip the next read follows at once. Each idle wait is
 *   stretched by a random 0 to 20 % ({@link IDLE_WAIT_JITTER}), never shortened: the consumers of many shards, started
 *   together by one take pass or released together after an event-loop stall, would otherwise keep polling in the
 *   same millisecond, and a worker with 1,000 shards would send 1,000 GetRecords in one burst every second.
 * - Kinesis failures never end the run while the lease is held: throttling, 5xx / network errors, a deleted stream
 *   (ResourceNotFound) and anything else are logged, reported through `events.error`, and retried after an
 *   exponential back-off with full jitter. An expired iterator is replaced by one AFTER the last record processed
 *   (or at the start position when nothing was read yet).
 * - Delivery: before every delivery the lease is checked (`isValid()`, `lostSignal`); a lost lease ends the run with
 *   shutdown(ZOMBIE). A processor that throws gets the same batch again after a growing back-off (from
 *   `taskBackoffTimeMillis` to `maxTaskBackoffTimeMillis`), or the processor failure policy acts.
 * - Shard end (no NextShardIterator): shutdown(TERMINATE); SHARD_END is written by the consumer if the processor did
 *   not checkpoint it, so child shards never wait forever.
 * - Worker shutdown (`shutdownSignal`) or a hand-off request: the in-flight batch finishes, then shutdown(REQUESTED)
 *   (checkpointing still allowed).
 * Every SDK call gets an AbortSignal that fires on shutdown or lease loss, so stopping is prompt.
 */
import type { GetRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { performance } from 'node:perf_hooks';
import type { ExtendedSequenceNumber } from '../checkpoint/shard-status';
import { skipCheckpointed } from '../kpl';
import type { ChildShardInfo } from '../shards/shard-registry';
import type { ShardConsumer, ShardConsumerDeps, ShardConsumerResult } from './shard-consumer';
import { FullJitterBackoff } from '../internal/backoff';
import { toChildShardInfos } from './child-shards';
import { GetRecordsRateLimiter } from './get-records-rate-limiter';
import { GetRecordsSender } from './get-records-sender';
import { classifyKinesisError } from './kinesis-error-kind';
import { ShardProcessorDriver } from './shard-processor-driver';
import type { DeliveryBatch } from './shard-processor-driver';
import { describeStartPosition, getShardIterator } from './shard-iterator';
import type { StartPosition } from './shard-iterator';
import type { KinesisCallGate } from './kinesis-call-gate';
import type { KinesisClientRecord } from '../processor/record-processor';

/**
 * Each idle wait is `idleTimeBetweenReadsInMillis * (1 + IDLE_WAIT_JITTER * r)`, r uniform in [0, 1): at most 20 %
 * longer than configured, never shorter, so the polls of many shards spread over time instead of arriving together.
 */
export const IDLE_WAIT_JITTER = 0.2;

/** `idleMillis` stretched by up to {@link IDLE_WAIT_JITTER} (never shortened); `random` gives r in [0, 1). */
export function idleWaitMillis(idleMillis: number, random: () => number = Math.random): number {
  const r = random();
  const fraction = Number.isFinite(r) && r > 0 ? Math.min(r, 1) : 0;
  return idleMillis + Math.floor(idleMillis * IDLE_WAIT_JITTER * fraction);
}

/** Tuning of a polling consumer that is not part of the public config (tests use short back-offs). */
export interface PollingShardConsumerOptions {
  /**
   * Base of the full-jitter back-off after a failed Kinesis or lease-store call: the n-th consecutive wait is drawn
   * from [0, min(backoffMaxMs, backoffBaseMs * 2^(n-1))].
   * @defaultValue `200`
   */
  backoffBaseMs?: number | undefined;
  /**
   * Cap of one back-off wait.
   * @defaultValue `10000`
   */
  backoffMaxMs?: number | undefined;
  /**
   * Source of randomness in [0, 1) for the idle-wait jitter and the back-off (tests inject a fixed one).
   * @defaultValue `Math.random`
   */
  random?: (() => number) | undefined;
}

/** One GetRecords result, de-aggregated. */
interface FetchedBatch extends DeliveryBatch {
  /** Number of Kinesis records in the response (before de-aggregation and filtering). */
  rawCount: number;
  nextShardIterator: string | undefined;
  childShards: ChildShardInfo[];
}

/** A batch as `fetch` returns it: a class, not a literal (why: the note on per-poll objects in kinesis/lean-http-transport.ts). */
class FetchedBatchOf implements FetchedBatch {
  constructor(
    readonly records: KinesisClientRecord[],
    readonly rawCount: number,
    readonly lastSequenceNumber: string | undefined,
    readonly millisBehindLatest: number | undefined,
    readonly nextShardIterator: string | undefined,
    readonly childShards: ChildShardInfo[],
    readonly fetchedAt: Date,
  ) {}
}

/** Creates the polling consumer of one lease. Its `run()` never rejects. */
export function createPollingShardConsumer(deps: ShardConsumerDeps, options: PollingShardConsumerOptions = {}): ShardConsumer {
  return new PollingShardConsumer(deps, options);
}

class PollingShardConsumer implements ShardConsumer {
  private readonly deps: ShardConsumerDeps;
  private readonly shardId: string;
  /** Processor lifecycle, lease checks, signal (shutdown or lease loss), checkpointer and reporting. */
  private readonly driver: ShardProcessorDriver;
  private readonly limiter = new GetRecordsRateLimiter();
  /** GetShardIterator has the same 5 calls/s/shard limit. */
  private readonly iteratorLimiter = new GetRecordsRateLimiter();
  private readonly backoff: FullJitterBackoff;
  private readonly random: () => number;
  /** GetRecords with the driver's signal, the SDK middleware chain resolved once per consumer. */
  private readonly getRecords: GetRecordsSender;
  private running: Promise<ShardConsumerResult> | undefined;
  private startPosition: StartPosition = { type: 'TRIM_HORIZON' };
  private iterator: string | undefined;
  /** Set after an AT_SEQUENCE_NUMBER iterator: user records up to here are dropped from the next non-empty batch. */
  private pendingSkip: ExtendedSequenceNumber | undefined;
  /** Last Kinesis record fully processed (delivered, or skipped as empty); where a renewed iterator starts after. */
  private resumeAfter: string | undefined;

  constructor(deps: ShardConsumerDeps, options: PollingShardConsumerOptions) {
    this.deps = deps;
    this.shardId = deps.lease.shardId;
    this.random = options.random ?? Math.random;
    this.backoff = new FullJitterBackoff(options.backoffBaseMs ?? 200, options.backoffMaxMs ?? 10_000, this.random);
    this.driver = new ShardProcessorDriver(deps, this.backoff);
    this.getRecords = new GetRecordsSender(deps.kinesis, this.driver.signal, deps.leanGetRecords);
  }

  run(): Promise<ShardConsumerResult> {
    this.running ??= this.driver.run(() => this.consume());
    return this.running;
  }

  private async consume(): Promise<ShardConsumerResult> {
    const driver = this.driver;
    const start = await driver.start();
    if ('result' in start) return start.result;
    this.startPosition = start.position;

    for (;;) {
      if (driver.isLeaseLost()) return driver.shutdownZombie();
      if (driver.isStopRequested()) return driver.shutdownRequested();
      if (this.iterator === undefined && !(await this.obtainIterator())) continue;
      const batch = await this.fetch();
      if (batch === undefined) continue;
      const delivery = driver.deliver(batch);
      const outcome = delivery === undefined ? undefined : await delivery;
      if (typeof outcome === 'string') return driver.end(outcome);
      if (batch.lastSequenceNumber !== undefined) this.resumeAfter = batch.lastSequenceNumber;
      this.iterator = batch.nextShardIterator;
      if (batch.nextShardIterator === undefined) return driver.shardEnd(batch.childShards);
      if (this.isCaughtUp(batch)) await driver.pause(idleWaitMillis(this.deps.config.idleTimeBetweenReadsInMillis, this.random));
    }
  }

  /**
   * Caught up = the tip of the shard was reached: an empty batch, or a batch smaller than `maxRecords` with
   * MillisBehindLatest 0 (or absent). A full batch means more records are waiting whatever MillisBehindLatest says
   * (kinesalite, for one, always reports 0), so it is followed by the next read at once (within the 5/s limit).
   */
  private isCaughtUp(batch: FetchedBatch): boolean {
    if (batch.rawCount === 0) return true;
    if (batch.rawCount >= this.deps.config.maxRecords) return false;
    return batch.millisBehindLatest === undefined || batch.millisBehindLatest === 0;
  }

  // ---- Kinesis ---------------------------------------------------------------------------------------------------

  /** Gets an iterator AFTER the last record processed, or at the start position. False if it failed (backed off). */
  private async obtainIterator(): Promise<boolean> {
    const position: StartPosition =
      this.resumeAfter !== undefined ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.resumeAfter } : this.startPosition;
    try {
      await this.iteratorLimiter.acquire(this.driver.signal);
      await this.takeSlot(this.deps.iteratorCallGate);
      try {
        await this.takeSlot(this.deps.kinesisCallGate);
        try {
          this.iterator = await getShardIterator(
            this.deps.kinesis,
            { streamName: this.deps.config.streamName, shardId: this.shardId, position },
            this.driver.signal,
          );
        } finally {
          this.deps.kinesisCallGate?.release();
        }
      } finally {
        this.deps.iteratorCallGate?.release();
      }
    } catch (error) {
      await this.onKinesisError(error, 'GetShardIterator');
      return false;
    }
    this.pendingSkip = position.type === 'AT_SEQUENCE_NUMBER' ? position.skipThrough : undefined;
    this.deps.logger.debug('Got shard iterator', { shardId: this.shardId, position: describeStartPosition(position) });
    return true;
  }

  /** One rate-limited GetRecords call. Undefined if it failed (the failure was handled). */
  private async fetch(): Promise<FetchedBatch | undefined> {
    const { driver } = this;
    let response: GetRecordsCommandOutput;
    try {
      // Awaited only when they wait: an await of undefined would still cost a promise and a turn on every poll.
      const due = this.limiter.acquire(driver.signal);
      if (due !== undefined) await due;
      const slot = this.takeSlot(this.deps.kinesisCallGate);
      if (slot !== undefined) await slot;
      const started = performance.now();
      try {
        response = await this.getRecords.send({ ShardIterator: this.iterator, Limit: this.deps.config.maxRecords });
      } finally {
        this.deps.kinesisCallGate?.release();
      }
      driver.report.metric((m) => m.recordGetRecordsTime(this.shardId, performance.now() - started));
    } catch (error) {
      await this.onKinesisError(error, 'GetRecords');
      return undefined;
    }
    this.backoff.reset();
    const raw = response.Records ?? [];
    const millisBehindLatest = response.MillisBehindLatest;
    if (millisBehindLatest !== undefined) driver.report.metric((m) => m.millisBehindLatest(this.shardId, millisBehindLatest));
    let records = driver.deaggregate(raw);
    if (this.pendingSkip !== undefined && raw.length > 0) {
      records = skipCheckpointed(records, this.pendingSkip);
      this.pendingSkip = undefined;
    }
    const next = response.NextShardIterator;
    return new FetchedBatchOf(
      records,
      raw.length,
      raw[raw.length - 1]?.SequenceNumber,
      millisBehindLatest,
      typeof next === 'string' && next.length > 0 ? next : undefined,
      next ? [] : toChildShardInfos(response.ChildShards),
      new Date(),
    );
  }

  /**
   * Waits for a slot of `gate` (the worker's Kinesis call slots, `maxConcurrentGetRecords`, or its iterator-call
   * slots); no wait and no allocation when one is free. Rejects with an AbortedError on shutdown or lease loss (then
   * no slot of `gate` is held).
   */
  private takeSlot(gate: KinesisCallGate | undefined): Promise<void> | undefined {
    if (gate === undefined || gate.tryAcquire()) return undefined;
    return gate.wait(this.driver.signal);
  }

  /** Handles a failed Kinesis call: renews an expired iterator, otherwise reports and backs off. */
  private async onKinesisError(error: unknown, operation: string): Promise<void> {
    const kind = classifyKinesisError(error, this.driver.signal);
    if (kind === 'aborted') return;
    if (kind === 'expired-iterator') {
      this.deps.logger.warn('Shard iterator expired: getting a new one', {
        shardId: this.shardId,
        after: this.resumeAfter ?? describeStartPosition(this.startPosition),
      });
      this.driver.report.error(error, operation);
      this.iterator = undefined;
      return;
    }
    await this.driver.backOffAfter(error, operation, kind);
  }
}

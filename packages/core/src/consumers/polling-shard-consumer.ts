/**
 * The per-shard polling consumer: reads one leased shard with GetShardIterator / GetRecords and drives its record
 * processor through initialize -> processRecords* -> shutdown(REQUESTED | TERMINATE | ZOMBIE).
 *
 * - Start: after the stored checkpoint (AT the record plus skipping inside a KPL aggregate), else TRIM_HORIZON for a
 *   child of a reshard, else the configured initial position. A lease already at SHARD_END is not read.
 * - Polling: at most 5 GetRecords per second (>= 200 ms between call starts), `Limit = maxRecords`. The idle wait
 *   (`idleTimeBetweenReadsInMillis`) only happens when caught up: an empty batch, or a partial batch with
 *   MillisBehindLatest 0; after a full batch or one behind the tip the next read follows at once.
 * - Kinesis failures never end the run while the lease is held: throttling, 5xx / network errors, a deleted stream
 *   (ResourceNotFound) and anything else are logged, reported through `events.error`, and retried after an
 *   exponential back-off with full jitter. An expired iterator is replaced by one AFTER the last record processed
 *   (or at the start position when nothing was read yet).
 * - Delivery: before every delivery the lease is checked (`isValid()`, `lostSignal`); a lost lease ends the run with
 *   shutdown(ZOMBIE). A processor that throws gets the same batch again after `taskBackoffTimeMillis`.
 * - Shard end (no NextShardIterator): shutdown(TERMINATE); SHARD_END is written by the consumer if the processor did
 *   not checkpoint it, so child shards never wait forever.
 * - Worker shutdown (`shutdownSignal`) or a hand-off request: the in-flight batch finishes, then shutdown(REQUESTED)
 *   (checkpointing still allowed).
 * Every SDK call gets an AbortSignal that fires on shutdown or lease loss, so stopping is prompt.
 */
import { GetRecordsCommand } from '@aws-sdk/client-kinesis';
import type { GetRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { performance } from 'node:perf_hooks';
import { SHARD_END } from '../checkpoint/shard-status';
import type { ExtendedSequenceNumber } from '../checkpoint/shard-status';
import { isKclError } from '../errors';
import { deaggregateRecords, skipCheckpointed } from '../kpl';
import type { KinesisClientRecord } from '../processor/record-processor';
import { ShutdownReason } from '../processor/shutdown-reason';
import { sleep } from '../retry';
import type { ChildShardInfo, ShardConsumer, ShardConsumerDeps, ShardConsumerResult } from '../worker/internal-contracts';
import { FullJitterBackoff } from './backoff';
import { toChildShardInfos } from './child-shards';
import { ConsumerReporter } from './consumer-reporter';
import { GetRecordsRateLimiter } from './get-records-rate-limiter';
import { classifyKinesisError } from './kinesis-error-kind';
import { linkAbortSignals } from './linked-abort-signal';
import type { LinkedAbortSignal } from './linked-abort-signal';
import { ShardRecordProcessorCheckpointer } from './record-processor-checkpointer';
import { describeStartPosition, getShardIterator, startPositionForLease } from './shard-iterator';
import type { StartPosition } from './shard-iterator';

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
}

/** Longest single sleep while waiting, so a hand-off request (a flag, not a signal) is noticed quickly. */
const MAX_SLEEP_SLICE_MS = 250;

/** One GetRecords result, de-aggregated. */
interface FetchedBatch {
  records: KinesisClientRecord[];
  /** Number of Kinesis records in the response (before de-aggregation and filtering). */
  rawCount: number;
  /** Sequence number of the last Kinesis record in the response (before de-aggregation and filtering). */
  lastSequenceNumber: string | undefined;
  millisBehindLatest: number | undefined;
  nextShardIterator: string | undefined;
  childShards: ChildShardInfo[];
  fetchedAt: Date;
}

type Interruption = 'lost' | 'stop';

/** Creates the polling consumer of one lease. Its `run()` never rejects. */
export function createPollingShardConsumer(deps: ShardConsumerDeps, options: PollingShardConsumerOptions = {}): ShardConsumer {
  return new PollingShardConsumer(deps, options);
}

class PollingShardConsumer implements ShardConsumer {
  private readonly deps: ShardConsumerDeps;
  private readonly shardId: string;
  /** Fires on worker shutdown or lease loss; passed to every SDK call and wait. */
  private readonly linkedSignal: LinkedAbortSignal;
  private readonly signal: AbortSignal;
  private readonly checkpointer: ShardRecordProcessorCheckpointer;
  private readonly report: ConsumerReporter;
  private readonly limiter = new GetRecordsRateLimiter();
  /** GetShardIterator has the same 5 calls/s/shard limit. */
  private readonly iteratorLimiter = new GetRecordsRateLimiter();
  private readonly backoff: FullJitterBackoff;
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
    this.linkedSignal = linkAbortSignals([deps.shutdownSignal, deps.lease.lostSignal]);
    this.signal = this.linkedSignal.signal;
    this.report = new ConsumerReporter(deps);
    this.backoff = new FullJitterBackoff(options.backoffBaseMs ?? 200, options.backoffMaxMs ?? 10_000);
    this.checkpointer = new ShardRecordProcessorCheckpointer({
      lease: deps.lease,
      checkpointer: deps.checkpointer,
      logger: deps.logger,
      retries: deps.config.maxRetryCount,
    });
  }

  run(): Promise<ShardConsumerResult> {
    this.running ??= this.execute();
    return this.running;
  }

  private async execute(): Promise<ShardConsumerResult> {
    try {
      return await this.consume();
    } catch (error) {
      // Defensive: every expected failure is handled inside consume(); this keeps run() from ever rejecting.
      this.report.error(error, 'shard consumer');
      if (this.isLeaseLost()) return this.shutdownZombie();
      return this.shutdownRequested();
    } finally {
      this.linkedSignal.dispose();
    }
  }

  private async consume(): Promise<ShardConsumerResult> {
    const interrupted = await this.initializeProcessor();
    if (interrupted === 'lost' || this.isLeaseLost()) return this.shutdownZombie();
    if (interrupted === 'stop') return this.shutdownRequested();
    if (this.deps.lease.shard.checkpoint === SHARD_END) {
      this.deps.logger.info('Lease is already checkpointed at SHARD_END: the shard is not read again', { shardId: this.shardId });
      this.checkpointer.markShardEnd();
      await this.callShutdown(ShutdownReason.TERMINATE);
      return { reason: ShutdownReason.TERMINATE, childShards: [] };
    }
    this.startPosition = startPositionForLease(this.deps.lease.shard, this.deps.config, this.deps.logger);
    this.deps.logger.info('Start reading shard', { shardId: this.shardId, position: describeStartPosition(this.startPosition) });

    for (;;) {
      if (this.isLeaseLost()) return this.shutdownZombie();
      if (this.isStopRequested()) return this.shutdownRequested();
      if (this.iterator === undefined && !(await this.obtainIterator())) continue;
      const batch = await this.fetch();
      if (batch === undefined) continue;
      const outcome = await this.deliver(batch);
      if (outcome === 'lost') return this.shutdownZombie();
      if (outcome === 'stop') return this.shutdownRequested();
      if (batch.lastSequenceNumber !== undefined) this.resumeAfter = batch.lastSequenceNumber;
      this.iterator = batch.nextShardIterator;
      if (batch.nextShardIterator === undefined) return this.shardEnd(batch.childShards);
      if (this.isCaughtUp(batch)) await this.pause(this.deps.config.idleTimeBetweenReadsInMillis);
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

  // ---- lease and stop checks -------------------------------------------------------------------------------------

  /** Lost: renewal failed or is overdue (isValid() false, e.g. after a process pause), or the store rejected a write. */
  private isLeaseLost(): boolean {
    const lease = this.deps.lease;
    return this.checkpointer.isLeaseLost || lease.lostSignal.aborted || !lease.isValid();
  }

  private isStopRequested(): boolean {
    return this.deps.shutdownSignal.aborted || this.deps.lease.handoffRequested;
  }

  /** Waits `ms`, returning early on shutdown, lease loss or a hand-off request. */
  private async pause(ms: number): Promise<void> {
    const until = performance.now() + ms;
    for (let left = ms; left > 0; left = until - performance.now()) {
      if (this.signal.aborted || this.isStopRequested()) return;
      try {
        await sleep(Math.ceil(Math.min(left, MAX_SLEEP_SLICE_MS)), this.signal);
      } catch {
        return; // aborted
      }
    }
  }

  // ---- Kinesis ---------------------------------------------------------------------------------------------------

  /** Gets an iterator AFTER the last record processed, or at the start position. False if it failed (backed off). */
  private async obtainIterator(): Promise<boolean> {
    const position: StartPosition =
      this.resumeAfter !== undefined ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.resumeAfter } : this.startPosition;
    try {
      await this.iteratorLimiter.acquire(this.signal);
      this.iterator = await getShardIterator(
        this.deps.kinesis,
        { streamName: this.deps.config.streamName, shardId: this.shardId, position },
        this.signal,
      );
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
    let response: GetRecordsCommandOutput;
    try {
      await this.limiter.acquire(this.signal);
      const started = performance.now();
      response = await this.deps.kinesis.send(
        new GetRecordsCommand({ ShardIterator: this.iterator, Limit: this.deps.config.maxRecords }),
        { abortSignal: this.signal },
      );
      this.report.metric((m) => m.recordGetRecordsTime(this.shardId, performance.now() - started));
    } catch (error) {
      await this.onKinesisError(error, 'GetRecords');
      return undefined;
    }
    this.backoff.reset();
    const raw = response.Records ?? [];
    const millisBehindLatest = response.MillisBehindLatest;
    if (millisBehindLatest !== undefined) this.report.metric((m) => m.millisBehindLatest(this.shardId, millisBehindLatest));
    let records = this.deaggregate(raw);
    if (this.pendingSkip !== undefined && raw.length > 0) {
      records = skipCheckpointed(records, this.pendingSkip);
      this.pendingSkip = undefined;
    }
    const next = response.NextShardIterator;
    return {
      records,
      rawCount: raw.length,
      lastSequenceNumber: raw[raw.length - 1]?.SequenceNumber,
      millisBehindLatest,
      nextShardIterator: typeof next === 'string' && next.length > 0 ? next : undefined,
      childShards: next ? [] : toChildShardInfos(response.ChildShards),
      fetchedAt: new Date(),
    };
  }

  private deaggregate(raw: NonNullable<GetRecordsCommandOutput['Records']>): KinesisClientRecord[] {
    const { logger } = this.deps;
    const hashKeyRange = this.deps.lease.shard.hashKeyRange;
    try {
      return deaggregateRecords(raw, { hashKeyRange, logger, shardId: this.shardId });
    } catch (error) {
      if (hashKeyRange === undefined) throw error;
      // A malformed hash key range on the lease must not stall the shard: deliver without range filtering.
      this.report.error(error, 'deaggregate');
      return deaggregateRecords(raw, { logger, shardId: this.shardId });
    }
  }

  /** Handles a failed Kinesis call: renews an expired iterator, otherwise reports and backs off. */
  private async onKinesisError(error: unknown, operation: string): Promise<void> {
    const kind = classifyKinesisError(error, this.signal);
    if (kind === 'aborted') return;
    if (kind === 'expired-iterator') {
      this.deps.logger.warn('Shard iterator expired: getting a new one', {
        shardId: this.shardId,
        after: this.resumeAfter ?? describeStartPosition(this.startPosition),
      });
      this.report.error(error, operation);
      this.iterator = undefined;
      return;
    }
    const delayMs = this.backoff.next();
    const fields = { shardId: this.shardId, operation, kind, attempt: this.backoff.attempts, delayMs, error };
    if (kind === 'throttled') this.deps.logger.warn(`${operation} throttled, backing off`, fields);
    else this.deps.logger.error(`${operation} failed, backing off`, fields);
    this.report.error(error, operation);
    await this.pause(delayMs);
  }

  // ---- processor -------------------------------------------------------------------------------------------------

  private async initializeProcessor(): Promise<Interruption | undefined> {
    const shard = this.deps.lease.shard;
    const extendedSequenceNumber: ExtendedSequenceNumber | undefined =
      shard.checkpoint === undefined ? undefined : { sequenceNumber: shard.checkpoint, subSequenceNumber: shard.subSequenceNumber };
    // The first call is always made, so every processor sees initialize() before its shutdown().
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1 && this.isLeaseLost()) return 'lost';
      if (attempt > 1 && this.isStopRequested()) return 'stop';
      try {
        await this.deps.processor.initialize({ shardId: this.shardId, extendedSequenceNumber });
        return undefined;
      } catch (error) {
        this.deps.logger.error('Record processor initialize() threw: retrying after the task back-off', {
          shardId: this.shardId,
          attempt,
          error,
        });
        this.report.error(error, 'processor.initialize');
        await this.pause(this.deps.config.taskBackoffTimeMillis);
      }
    }
  }

  /**
   * Hands a batch to the processor, again and again while it throws. Empty batches are skipped unless
   * `callProcessRecordsEvenForEmptyRecordList`. Returns an interruption if the lease was lost or a stop was asked for
   * before a (re)delivery.
   */
  private async deliver(batch: FetchedBatch): Promise<Interruption | undefined> {
    const { config, processor, logger } = this.deps;
    const { records } = batch;
    if (records.length === 0 && !config.callProcessRecordsEvenForEmptyRecordList) return undefined;
    const bytes = records.reduce((sum, record) => sum + record.data.length, 0);
    for (let attempt = 1; ; attempt++) {
      if (this.isLeaseLost()) return 'lost';
      if (this.isStopRequested()) return 'stop';
      if (batch.lastSequenceNumber !== undefined) this.checkpointer.recordDelivered(batch.lastSequenceNumber);
      const started = performance.now();
      try {
        await processor.processRecords({
          shardId: this.shardId,
          records: records.slice(),
          millisBehindLatest: batch.millisBehindLatest ?? 0,
          checkpointer: this.checkpointer,
          cacheEntryTime: batch.fetchedAt,
          cacheExitTime: new Date(),
        });
      } catch (error) {
        logger.error('Record processor processRecords() threw: the same batch is delivered again after the task back-off', {
          shardId: this.shardId,
          attempt,
          records: records.length,
          error,
        });
        this.report.processorError(error, attempt);
        await this.pause(config.taskBackoffTimeMillis);
        continue;
      }
      const elapsed = performance.now() - started;
      this.report.metric((m) => m.recordProcessRecordsTime(this.shardId, elapsed));
      this.report.metric((m) => m.incrRecordsProcessed(this.shardId, records.length));
      this.report.metric((m) => m.incrBytesProcessed(this.shardId, bytes));
      return undefined;
    }
  }

  private async callShutdown(reason: ShutdownReason): Promise<void> {
    try {
      await this.deps.processor.shutdown({ shutdownReason: reason, checkpointer: this.checkpointer });
    } catch (error) {
      this.deps.logger.error('Record processor shutdown() threw', { shardId: this.shardId, reason: ShutdownReason[reason], error });
      this.report.error(error, 'processor.shutdown');
    }
  }

  // ---- endings ---------------------------------------------------------------------------------------------------

  private async shutdownZombie(callProcessor = true): Promise<ShardConsumerResult> {
    this.checkpointer.markLeaseLost();
    this.deps.logger.warn('Lease lost: shutting down the record processor (ZOMBIE)', { shardId: this.shardId });
    if (callProcessor) await this.callShutdown(ShutdownReason.ZOMBIE);
    return { reason: ShutdownReason.ZOMBIE };
  }

  private async shutdownRequested(): Promise<ShardConsumerResult> {
    this.deps.logger.info('Shutting down the record processor (REQUESTED)', {
      shardId: this.shardId,
      handoff: this.deps.lease.handoffRequested,
    });
    await this.callShutdown(ShutdownReason.REQUESTED);
    return { reason: ShutdownReason.REQUESTED };
  }

  private async shardEnd(childShards: ChildShardInfo[]): Promise<ShardConsumerResult> {
    const { logger } = this.deps;
    logger.info('Reached the end of the shard', { shardId: this.shardId, childShards: childShards.map((c) => c.shardId) });
    if (this.isLeaseLost()) return this.shutdownZombie();
    this.checkpointer.markShardEnd();
    await this.callShutdown(ShutdownReason.TERMINATE);
    if (!this.checkpointer.isCheckpointedAtShardEnd) {
      logger.warn('The record processor did not checkpoint SHARD_END at shard end: writing SHARD_END for it', {
        shardId: this.shardId,
      });
      const interrupted = await this.writeShardEnd();
      if (interrupted === 'lost') return this.shutdownZombie(false);
      if (interrupted === 'stop') return { reason: ShutdownReason.REQUESTED };
    }
    this.report.shardEnded(childShards);
    return { reason: ShutdownReason.TERMINATE, childShards };
  }

  /** Writes SHARD_END, retrying while the lease is held and no stop was asked for. */
  private async writeShardEnd(): Promise<Interruption | undefined> {
    for (;;) {
      try {
        await this.checkpointer.writeShardEnd();
        this.backoff.reset();
        return undefined;
      } catch (error) {
        if (this.checkpointer.isLeaseLost || (isKclError(error) && error.code === 'LEASE_LOST') || this.isLeaseLost()) {
          return 'lost';
        }
        this.report.error(error, 'checkpoint SHARD_END');
        if (this.isStopRequested()) return 'stop';
        await this.pause(this.backoff.next());
      }
    }
  }
}

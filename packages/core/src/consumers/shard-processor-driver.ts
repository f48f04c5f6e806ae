/**
 * The record-processor side of a per-shard consumer, shared by the polling and the enhanced fan-out consumers: how
 * the processor of one lease is initialized, fed and shut down, whatever reads the records.
 *
 * - `initialize()` is always called first (retried after `taskBackoffTimeMillis` while it throws).
 * - A lease already checkpointed at SHARD_END is not read: shutdown(TERMINATE) at once.
 * - Delivery: before every delivery the lease is checked (`isValid()`, `lostSignal`, a rejected checkpoint); a lost
 *   lease ends the run with shutdown(ZOMBIE), a worker shutdown or hand-off request with shutdown(REQUESTED). A
 *   processor that throws gets the same batch again after `taskBackoffTimeMillis`; until a call with it succeeds,
 *   `checkpoint()` does not cover it (a shutdown that comes before the retry checkpoints the previous batch). Metrics and events are reported
 *   through a guarded {@link ConsumerReporter}.
 * - A processor call that does not return within `logWarningForTaskAfterMillis` is reported as stuck (warning,
 *   `processorStuck` event and metric), again each time that much more has passed; it is never interrupted.
 * - Shard end: shutdown(TERMINATE); SHARD_END is written if the processor did not checkpoint it.
 * - Failed Kinesis calls: logged, reported, and followed by an exponential back-off with full jitter.
 * @internal
 */
import { performance } from 'node:perf_hooks';
import type { _Record } from '@aws-sdk/client-kinesis';
import { SHARD_END } from '../checkpoint/shard-status';
import { KCL_CONFIG_DEFAULTS } from '../config/defaults';
import type { ExtendedSequenceNumber } from '../checkpoint/shard-status';
import { isKclError } from '../errors';
import { deaggregateRecords } from '../kpl';
import type { KinesisClientRecord } from '../processor/record-processor';
import { ShutdownReason } from '../processor/shutdown-reason';
import { sleep } from '../retry';
import type { ChildShardInfo, ShardConsumerDeps, ShardConsumerResult } from '../worker/internal-contracts';
import type { FullJitterBackoff } from './backoff';
import { ConsumerReporter } from './consumer-reporter';
import type { KinesisErrorKind } from './kinesis-error-kind';
import { linkAbortSignals } from './linked-abort-signal';
import type { LinkedAbortSignal } from './linked-abort-signal';
import { ShardRecordProcessorCheckpointer } from './record-processor-checkpointer';
import { describeStartPosition, startPositionForLease } from './shard-iterator';
import type { StartPosition } from './shard-iterator';

/** Longest single sleep while waiting, so a hand-off request (a flag, not a signal) is noticed quickly. */
const MAX_SLEEP_SLICE_MS = 250;

/** The record processor calls watched for being stuck. */
type ProcessorOperation = 'initialize' | 'processRecords' | 'shutdown';

/** Why a wait or a delivery did not happen: the lease was lost, or a stop (shutdown / hand-off) was asked for. */
export type Interruption = 'lost' | 'stop';

/** Records read from the shard, ready for the processor. */
export interface DeliveryBatch {
  /** De-aggregated and filtered user records. */
  records: KinesisClientRecord[];
  /** Sequence number of the last Kinesis record read (before de-aggregation and filtering), if any. */
  lastSequenceNumber: string | undefined;
  millisBehindLatest: number | undefined;
  /** When the records were received. */
  fetchedAt: Date;
}

/** How a consumer starts: at a position, or not at all (`result`: interrupted, or the lease is at SHARD_END). */
export type ConsumerStart = { position: StartPosition } | { result: ShardConsumerResult };

/** Drives the record processor of one lease. One per consumer run; `dispose()` when the run ends. */
export class ShardProcessorDriver {
  readonly shardId: string;
  /** Fires on worker shutdown or lease loss; pass it to every SDK call and wait. */
  readonly signal: AbortSignal;
  readonly checkpointer: ShardRecordProcessorCheckpointer;
  readonly report: ConsumerReporter;
  private readonly deps: ShardConsumerDeps;
  private readonly linkedSignal: LinkedAbortSignal;
  /** Back-off after failed Kinesis and lease-store calls (shared with the consumer, which resets it on success). */
  private readonly backoff: FullJitterBackoff;

  constructor(deps: ShardConsumerDeps, backoff: FullJitterBackoff) {
    this.deps = deps;
    this.shardId = deps.lease.shardId;
    this.backoff = backoff;
    this.linkedSignal = linkAbortSignals([deps.shutdownSignal, deps.lease.lostSignal]);
    this.signal = this.linkedSignal.signal;
    this.report = new ConsumerReporter(deps);
    this.checkpointer = new ShardRecordProcessorCheckpointer({
      lease: deps.lease,
      checkpointer: deps.checkpointer,
      logger: deps.logger,
      retries: deps.config.maxRetryCount,
    });
  }

  /**
   * Runs `consume` and never rejects: an unexpected failure is reported and ends the run with ZOMBIE (lease lost)
   * or REQUESTED. Removes the signal listeners afterwards.
   */
  async run(consume: () => Promise<ShardConsumerResult>): Promise<ShardConsumerResult> {
    try {
      return await consume();
    } catch (error) {
      // Defensive: every expected failure is handled inside consume(); this keeps run() from ever rejecting.
      this.report.error(error, 'shard consumer');
      if (this.isLeaseLost()) return this.shutdownZombie();
      return this.shutdownRequested();
    } finally {
      this.linkedSignal.dispose();
    }
  }

  /**
   * Initializes the processor and works out where to start reading (see `startPositionForLease`). Returns a result
   * instead when the run is over before it began: lease lost, stop requested, or the lease already at SHARD_END.
   */
  async start(): Promise<ConsumerStart> {
    const interrupted = await this.initializeProcessor();
    if (interrupted === 'lost' || this.isLeaseLost()) return { result: await this.shutdownZombie() };
    if (interrupted === 'stop') return { result: await this.shutdownRequested() };
    if (this.deps.lease.shard.checkpoint === SHARD_END) {
      this.deps.logger.info('Lease is already checkpointed at SHARD_END: the shard is not read again', { shardId: this.shardId });
      this.checkpointer.markShardEnd();
      await this.callShutdown(ShutdownReason.TERMINATE);
      return { result: { reason: ShutdownReason.TERMINATE, childShards: [] } };
    }
    const position = startPositionForLease(this.deps.lease.shard, this.deps.config, this.deps.logger);
    this.deps.logger.info('Start reading shard', { shardId: this.shardId, position: describeStartPosition(position) });
    return { position };
  }

  // ---- lease and stop checks -------------------------------------------------------------------------------------

  /** Lost: renewal failed or is overdue (isValid() false, e.g. after a process pause), or the store rejected a write. */
  isLeaseLost(): boolean {
    const lease = this.deps.lease;
    return this.checkpointer.isLeaseLost || lease.lostSignal.aborted || !lease.isValid();
  }

  /** Worker shutdown or a hand-off request. */
  isStopRequested(): boolean {
    return this.deps.shutdownSignal.aborted || this.deps.lease.handoffRequested;
  }

  /** Waits `ms`, returning early on shutdown, lease loss or a hand-off request. */
  async pause(ms: number): Promise<void> {
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

  /** De-aggregates KPL records, dropping user records outside the lease's hash key range (after a reshard). */
  deaggregate(raw: readonly _Record[]): KinesisClientRecord[] {
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

  /** Logs and reports a failed Kinesis call of kind `kind`, then waits for the next back-off delay. */
  async backOffAfter(error: unknown, operation: string, kind: KinesisErrorKind | 'in-use'): Promise<void> {
    const delayMs = this.backoff.next();
    const fields = { shardId: this.shardId, operation, kind, attempt: this.backoff.attempts, delayMs, error };
    if (kind === 'throttled') this.deps.logger.warn(`${operation} throttled, backing off`, fields);
    else if (kind === 'in-use') this.deps.logger.warn(`${operation}: resource in use, backing off`, fields);
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
        await this.watched('initialize', () => this.deps.processor.initialize({ shardId: this.shardId, extendedSequenceNumber }));
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
  async deliver(batch: DeliveryBatch): Promise<Interruption | undefined> {
    const { config, processor, logger } = this.deps;
    const { records } = batch;
    if (records.length === 0 && !config.callProcessRecordsEvenForEmptyRecordList) return undefined;
    const bytes = records.reduce((sum, record) => sum + record.data.length, 0);
    for (let attempt = 1; ; attempt++) {
      if (this.isLeaseLost()) return 'lost';
      if (this.isStopRequested()) return 'stop';
      const deliveredBefore = this.checkpointer.lastDeliveredSequenceNumber;
      if (batch.lastSequenceNumber !== undefined) this.checkpointer.recordDelivered(batch.lastSequenceNumber);
      const started = performance.now();
      try {
        await this.watched('processRecords', () =>
          processor.processRecords({
            shardId: this.shardId,
            records: records.slice(),
            millisBehindLatest: batch.millisBehindLatest ?? 0,
            checkpointer: this.checkpointer,
            cacheEntryTime: batch.fetchedAt,
            cacheExitTime: new Date(),
          }),
        );
      } catch (error) {
        // Not processed: a checkpoint() before the retry (e.g. at a shutdown that comes first) must not cover it.
        this.checkpointer.restoreDelivered(deliveredBefore);
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

  /**
   * Runs a processor call; while it has not returned, reports it as stuck every `logWarningForTaskAfterMillis`
   * (warning, `processorStuck` event and metric). The call itself is never interrupted. Reports stop once the lease
   * is lost or abandoned (the shard is no longer this worker's; shutdown() abandons a lease whose processor is stuck).
   */
  private async watched(operation: ProcessorOperation, call: () => void | Promise<void>): Promise<void> {
    const threshold = this.deps.config.logWarningForTaskAfterMillis ?? KCL_CONFIG_DEFAULTS.logWarningForTaskAfterMillis;
    const started = performance.now();
    let reported = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      timer = setTimeout(() => {
        if (this.deps.lease.lostSignal.aborted) return;
        reported = true;
        const millis = Math.round(performance.now() - started);
        this.deps.logger.warn(`Record processor ${operation}() has not returned after ${millis} ms: the shard makes no progress`, {
          shardId: this.shardId,
          operation,
          millis,
        });
        this.report.processorStuck(operation, millis);
        arm();
      }, threshold);
      timer.unref();
    };
    arm();
    try {
      await call();
    } finally {
      clearTimeout(timer);
      if (reported) {
        this.deps.logger.info(`Record processor ${operation}() returned after ${Math.round(performance.now() - started)} ms`, {
          shardId: this.shardId,
          operation,
        });
      }
    }
  }

  private async callShutdown(reason: ShutdownReason): Promise<void> {
    try {
      await this.watched('shutdown', () => this.deps.processor.shutdown({ shutdownReason: reason, checkpointer: this.checkpointer }));
    } catch (error) {
      this.deps.logger.error('Record processor shutdown() threw', { shardId: this.shardId, reason: ShutdownReason[reason], error });
      this.report.error(error, 'processor.shutdown');
    }
  }

  // ---- endings ---------------------------------------------------------------------------------------------------

  /** The lease was lost: shutdown(ZOMBIE) (checkpointing is refused from now on). */
  async shutdownZombie(callProcessor = true): Promise<ShardConsumerResult> {
    this.checkpointer.markLeaseLost();
    this.deps.logger.warn('Lease lost: shutting down the record processor (ZOMBIE)', { shardId: this.shardId });
    if (callProcessor) await this.callShutdown(ShutdownReason.ZOMBIE);
    return { reason: ShutdownReason.ZOMBIE };
  }

  /** Worker shutdown or hand-off: shutdown(REQUESTED) (checkpointing still allowed). */
  async shutdownRequested(): Promise<ShardConsumerResult> {
    this.deps.logger.info('Shutting down the record processor (REQUESTED)', {
      shardId: this.shardId,
      handoff: this.deps.lease.handoffRequested,
    });
    await this.callShutdown(ShutdownReason.REQUESTED);
    return { reason: ShutdownReason.REQUESTED };
  }

  /** The shard end was reached: shutdown(TERMINATE), then SHARD_END if the processor did not write it. */
  async shardEnd(childShards: ChildShardInfo[]): Promise<ShardConsumerResult> {
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

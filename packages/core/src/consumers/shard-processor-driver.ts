/**
 * The record-processor side of a per-shard consumer, shared by the polling and the enhanced fan-out consumers: how
 * the processor of one lease is initialized, fed and shut down, whatever reads the records.
 *
 * - `initialize()` is always called first (retried while it throws, after the processor back-off below).
 * - A lease already checkpointed at SHARD_END is not read: shutdown(TERMINATE) at once.
 * - Delivery: before every delivery the lease is checked (`isValid()`, `lostSignal`, a rejected checkpoint); a lost
 *   lease ends the run with shutdown(ZOMBIE), a worker shutdown or hand-off request with shutdown(REQUESTED). A
 *   processor that throws gets the same batch again after a back-off growing from `taskBackoffTimeMillis` to
 *   `maxTaskBackoffTimeMillis` (failures reported rate-limited: processor-failures.ts); until a call with it
 *   succeeds, `checkpoint()` does not cover it (a shutdown that comes before the retry checkpoints the previous
 *   batch). After `maxAttempts` failures the opt-in `processorFailurePolicy` skips the batch (`batchSkipped`; a later
 *   `checkpoint()` covers it) or releases the lease (shutdown(REQUESTED), result `releaseReason: 'failing'`). Metrics
 *   and events are reported through a guarded {@link ConsumerReporter}.
 * - A processor call that does not return within `logWarningForTaskAfterMillis` is reported as stuck (warning,
 *   `processorStuck` event and metric), again each time that much more has passed; it is never interrupted. Past the
 *   opt-in `maxProcessingTimeMillis` the lease is given up (`giveUpLease('stuck')`): its checkpoints are refused and
 *   the run ends with shutdown(ZOMBIE) once the call returns.
 * - `warnAfterBatchesWithoutCheckpoint` non-empty batches in a row without a checkpoint: one warning per lease.
 * - Shard end: shutdown(TERMINATE); SHARD_END is written if the processor did not checkpoint it.
 * - Failed Kinesis calls: logged, reported, and followed by an exponential back-off with full jitter.
 * @internal
 */
import { performance } from 'node:perf_hooks';
import type { _Record } from '@aws-sdk/client-kinesis';
import { SHARD_END } from '../checkpoint/shard-status';
import type { ExtendedSequenceNumber } from '../checkpoint/shard-status';
import { isKclError } from '../errors';
import { deaggregateRecords } from '../kpl';
import type { KinesisClientRecord } from '../processor/record-processor';
import type { BatchSkippedEvent } from './consumer-events';
import { ShutdownReason } from '../processor/shutdown-reason';
import type { ChildShardInfo } from '../shards/shard-registry';
import type { ShardConsumerDeps, ShardConsumerResult } from './shard-consumer';
import type { FullJitterBackoff } from '../internal/backoff';
import { ConsumerReporter } from './consumer-reporter';
import { idleTimerWheel } from '../internal/timer-wheel';
import type { KinesisErrorKind } from './kinesis-error-kind';
import { ProcessorFailureLog, processorRetryDelay } from './processor-failures';
import { watchProcessorCall } from './processor-watchdog';
import type { ProcessorOperation } from './processor-watchdog';
import { ShardRecordProcessorCheckpointer } from './record-processor-checkpointer';
import { describeStartPosition, startPositionForLease } from './shard-iterator';
import type { StartPosition } from './shard-iterator';

/**
 * Longest single sleep while waiting, so a hand-off request (a flag, not a signal) is noticed within 1.25 s (it
 * arrives with a lease renewal, every few seconds). Shutdown and lease loss are signals and end a wait at once. Longer
 * than the longest idle wait at the default idle time (1 s plus up to 20 % jitter), so an idle wait between two polls
 * is one timer: with 1,000 shards polled every second, 250 ms slices meant 4,000 timers a second.
 */
export const MAX_SLEEP_SLICE_MS = 1_250;

/** What a pause that does not wait returns (one shared, already settled promise). */
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Why a wait or a delivery did not happen: the lease was lost, a stop (shutdown / hand-off) was asked for, or the
 * processor failure policy `releaseLease` gives the lease up. {@link ShardProcessorDriver.end} ends the run for it.
 */
export type Interruption = 'lost' | 'stop' | 'release';

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
  /** Aborted on worker shutdown or lease loss (by {@link onShutdown} / {@link onLeaseLost}). */
  private readonly controller = new AbortController();
  /** Back-off after failed Kinesis and lease-store calls (shared with the consumer, which resets it on success). */
  private readonly backoff: FullJitterBackoff;
  private readonly failures: ProcessorFailureLog;
  /** Non-empty batches processed since the last checkpoint write seen, and that write count. */
  private batchesSinceCheckpoint = 0;
  private checkpointWritesSeen = 0;
  private checkpointWarningGiven = false;
  /** Ends the current {@link pause} early (on abort). */
  private wakePause: (() => void) | undefined;
  /**
   * Ends the current wait: the wheel's callback for every wait of this driver, also called on abort (one function per
   * driver, not one per wait). A wait ends early only on abort, after which no wait starts again (every pause checks
   * the signal first), so a wheel entry left by a wait that ended early can only find nothing to wake.
   */
  private readonly woken = (): void => {
    const wake = this.wakePause;
    this.wakePause = undefined;
    wake?.();
  };
  /** The worker's shutdown signal fired. */
  private readonly onShutdown = (): void => this.abort(this.deps.shutdownSignal.reason);
  /** The lease was lost (a plain listener on the lease: no AbortSignal per lease, see leases/lease-loss.ts). */
  private readonly onLeaseLost = (reason: Error): void => this.abort(reason);

  constructor(deps: ShardConsumerDeps, backoff: FullJitterBackoff) {
    this.deps = deps;
    this.shardId = deps.lease.shardId;
    this.backoff = backoff;
    this.signal = this.controller.signal;
    if (deps.shutdownSignal.aborted) this.controller.abort(deps.shutdownSignal.reason);
    else {
      deps.shutdownSignal.addEventListener('abort', this.onShutdown, { once: true });
      deps.lease.onLost(this.onLeaseLost); // called at once if the lease is already lost
    }
    this.report = new ConsumerReporter(deps);
    this.checkpointer = new ShardRecordProcessorCheckpointer({
      lease: deps.lease,
      checkpointer: deps.checkpointer,
      logger: deps.logger,
      retries: deps.config.maxRetryCount,
    });
    this.failures = new ProcessorFailureLog(this.shardId, deps.logger, this.report);
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
      this.removeListeners();
    }
  }

  /** Aborts {@link signal} (once) and ends the current wait. */
  private abort(reason: unknown): void {
    this.removeListeners();
    if (this.signal.aborted) return;
    this.controller.abort(reason);
    this.woken();
  }

  /** A consumer that ended leaves no listener on the worker-wide shutdown signal or on its lease. */
  private removeListeners(): void {
    this.deps.shutdownSignal.removeEventListener('abort', this.onShutdown);
    this.deps.lease.offLost(this.onLeaseLost);
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

  /** Ends the run for an interruption: shutdown(ZOMBIE), shutdown(REQUESTED), or the release after failures. */
  end(interruption: Interruption): Promise<ShardConsumerResult> {
    if (interruption === 'lost') return this.shutdownZombie();
    if (interruption === 'release') return this.releaseAfterFailures();
    return this.shutdownRequested();
  }

  // ---- lease and stop checks -------------------------------------------------------------------------------------

  /** Lost: renewal failed or is overdue (isValid() false, e.g. after a process pause), or the store rejected a write. */
  isLeaseLost(): boolean {
    const lease = this.deps.lease;
    return this.checkpointer.isLeaseLost || lease.lost || !lease.isValid();
  }

  /** Worker shutdown or a hand-off request. */
  isStopRequested(): boolean {
    return this.deps.shutdownSignal.aborted || this.deps.lease.handoffRequested;
  }

  /**
   * Waits `ms`, returning early on shutdown, lease loss or a hand-off request. The wait runs on the shared idle timer
   * wheel (`internal/timer-wheel.ts`): it ends up to 10 ms later than asked, never earlier, and the waits of all
   * consumers ending in the same 10 ms share one timer.
   *
   * Not an async function: the common wait (a caught-up shard's idle time, at most {@link MAX_SLEEP_SLICE_MS}) is one
   * promise on the wheel, with no async frame of its own. What a consumer allocates per poll and keeps across its
   * idle wait survives the young generation's collections; at 1,000 shards polled every second it is most of what
   * each scavenge copies.
   */
  pause(ms: number): Promise<void> {
    if (!(ms > 0) || this.signal.aborted || this.isStopRequested()) return RESOLVED;
    if (ms <= MAX_SLEEP_SLICE_MS) return this.sleep(ms);
    return this.pauseInSlices(ms);
  }

  private async pauseInSlices(ms: number): Promise<void> {
    const until = performance.now() + ms;
    for (let left = ms; left > 0; left = until - performance.now()) {
      if (this.signal.aborted || this.isStopRequested()) return;
      await this.sleep(Math.min(left, MAX_SLEEP_SLICE_MS));
    }
  }

  /** One wait on the wheel; {@link woken} ends it (at its slot, or early on abort). */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakePause = resolve;
      idleTimerWheel.schedule(Math.ceil(ms), this.woken);
    });
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
        this.failures.recovered('initialize');
        return undefined;
      } catch (error) {
        const delay = this.retryDelay(attempt);
        this.failures.failed('initialize', error, attempt, delay);
        this.report.error(error, 'processor.initialize');
        await this.pause(delay);
      }
    }
  }

  /**
   * Hands a batch to the processor, again and again while it throws (or until the failure policy skips it). Empty
   * batches are skipped unless `callProcessRecordsEvenForEmptyRecordList`. Returns an interruption if the lease was
   * lost or a stop was asked for before a (re)delivery, or `release` when the failure policy gives the lease up.
   * A skipped empty batch returns undefined at once, without a promise (most polls of an idle shard).
   */
  deliver(batch: DeliveryBatch): Promise<Interruption | undefined> | undefined {
    if (batch.records.length === 0 && !this.deps.config.callProcessRecordsEvenForEmptyRecordList) return undefined;
    return this.deliverToProcessor(batch);
  }

  private async deliverToProcessor(batch: DeliveryBatch): Promise<Interruption | undefined> {
    const { config, processor } = this.deps;
    const { records } = batch;
    const bytes = records.reduce((sum, record) => sum + record.data.length, 0);
    const policy = config.processorFailurePolicy;
    const maxAttempts = policy.action === 'retry' ? Infinity : (policy.maxAttempts ?? Infinity);
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
        const giveUp = attempt >= maxAttempts && !this.isLeaseLost();
        const delay = giveUp ? 0 : this.retryDelay(attempt);
        this.failures.failed('processRecords', error, attempt, delay, records.length);
        this.report.processorError(error, attempt);
        if (!giveUp) {
          await this.pause(delay);
          continue;
        }
        if (policy.action === 'skip') {
          this.skipBatch(batch, attempt, error);
          return undefined;
        }
        return 'release';
      }
      this.failures.recovered('processRecords');
      const elapsed = performance.now() - started;
      this.report.metric((m) => m.recordProcessRecordsTime(this.shardId, elapsed));
      this.report.metric((m) => m.incrRecordsProcessed(this.shardId, records.length));
      this.report.metric((m) => m.incrBytesProcessed(this.shardId, bytes));
      if (records.length > 0) this.noteBatchProcessed();
      return undefined;
    }
  }

  /** Wait before the call after failed call number `attempt` (see processorRetryDelay). */
  private retryDelay(attempt: number): number {
    const { taskBackoffTimeMillis, maxTaskBackoffTimeMillis } = this.deps.config;
    return processorRetryDelay(attempt, taskBackoffTimeMillis, maxTaskBackoffTimeMillis);
  }

  /** Failure policy `skip`: the batch counts as delivered (checkpoint() covers it) and is reported, never silently. */
  private skipBatch(batch: DeliveryBatch, attempts: number, error: unknown): void {
    if (batch.lastSequenceNumber !== undefined) this.checkpointer.recordDelivered(batch.lastSequenceNumber);
    const records = batch.records.slice();
    const position = (record: KinesisClientRecord | undefined): BatchSkippedEvent['first'] =>
      record === undefined
        ? undefined
        : {
            sequenceNumber: record.sequenceNumber,
            ...(record.subSequenceNumber === undefined ? {} : { subSequenceNumber: record.subSequenceNumber }),
          };
    const event: BatchSkippedEvent = { shardId: this.shardId, attempts, error, records, first: position(records[0]), last: position(records.at(-1)) };
    this.deps.logger.error(
      `Record processor processRecords() failed ${attempts} times with the same batch: skipping it (processorFailurePolicy skip)`,
      {
        shardId: this.shardId,
        attempts,
        records: records.length,
        first: event.first,
        last: event.last,
        error,
      },
    );
    this.failures.reset();
    this.report.batchSkipped(event);
  }

  /** One warning per lease when `warnAfterBatchesWithoutCheckpoint` non-empty batches in a row got no checkpoint. */
  private noteBatchProcessed(): void {
    const threshold = this.deps.config.warnAfterBatchesWithoutCheckpoint;
    if (threshold <= 0 || this.checkpointWarningGiven) return;
    const writes = this.checkpointer.writeCount;
    if (writes !== this.checkpointWritesSeen) {
      this.checkpointWritesSeen = writes;
      this.batchesSinceCheckpoint = 0;
    }
    this.batchesSinceCheckpoint += 1;
    if (this.batchesSinceCheckpoint < threshold) return;
    this.checkpointWarningGiven = true;
    this.deps.logger.warn(
      `processRecords() returned ${this.batchesSinceCheckpoint} batches in a row without a checkpoint on this shard: after a ` +
        'restart or a lease move they are all delivered again. Call input.checkpointer.checkpoint() (e.g. after each batch). ' +
        'Warned once per lease; tune with withWarnAfterBatchesWithoutCheckpoint(n), 0 = off.',
      { shardId: this.shardId, batches: this.batchesSinceCheckpoint, warnAfterBatchesWithoutCheckpoint: threshold },
    );
  }

  /**
   * Runs a processor call under watch (processor-watchdog.ts): stuck reports every `logWarningForTaskAfterMillis`
   * until the lease is lost or abandoned, and past `maxProcessingTimeMillis` (if set) the lease is given up. The call
   * itself is never interrupted.
   */
  private watched(operation: ProcessorOperation, call: () => void | Promise<void>): Promise<void> {
    const { config, logger, lease } = this.deps;
    return watchProcessorCall(
      {
        shardId: this.shardId,
        logger,
        report: this.report,
        lease,
        stuckAfterMillis: config.logWarningForTaskAfterMillis,
        maxProcessingTimeMillis: config.maxProcessingTimeMillis,
        onTimeLimit: (op, millis) => this.giveUpStuckLease(op, millis),
      },
      operation,
      call,
    );
  }

  /**
   * A processor call ran past `maxProcessingTimeMillis`: refuse its checkpoints from now on and give the lease up so
   * another worker takes the shard over after the failover time. The run ends with shutdown(ZOMBIE) once it returns.
   */
  private giveUpStuckLease(operation: ProcessorOperation, millis: number): void {
    if (this.isLeaseLost()) return;
    this.deps.logger.error(
      `Record processor ${operation}() has not returned after ${millis} ms (maxProcessingTimeMillis): giving the lease up so ` +
        'another worker takes the shard over; the call is not interrupted, its checkpoints are refused, and the ' +
        'processor gets shutdown(ZOMBIE) once it returns',
      { shardId: this.shardId, operation, millis },
    );
    this.checkpointer.markLeaseLost();
    try {
      this.deps.giveUpLease?.('stuck');
    } catch (error) {
      this.report.error(error, 'giveUpLease');
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

  /**
   * Failure policy `releaseLease`: shutdown(REQUESTED) (the processor may checkpoint what succeeded; the failed batch
   * is not covered), then the worker releases the lease so any worker takes the shard again from its checkpoint.
   */
  private async releaseAfterFailures(): Promise<ShardConsumerResult> {
    this.deps.logger.error(
      'Record processor processRecords() kept failing with the same batch: releasing the lease (processorFailurePolicy ' +
        'releaseLease); the shard continues from its last checkpoint on whichever worker takes it',
      { shardId: this.shardId },
    );
    await this.callShutdown(ShutdownReason.REQUESTED);
    return { reason: ShutdownReason.REQUESTED, releaseReason: 'failing' };
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

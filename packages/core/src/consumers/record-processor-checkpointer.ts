/**
 * The checkpointer handed to a record processor for one lease (go-kcl's `RecordProcessorCheckpointer`).
 *
 * Positions it accepts and writes:
 * - `checkpoint()`: the last record delivered so far, or SHARD_END once the shard end was reached. Batches always
 *   hold whole Kinesis records (every user record of an aggregate), so this is stored as the sequence number of that
 *   record without a sub-sequence number ("the whole record"): processing resumes after it. Before anything was
 *   delivered it writes nothing.
 * - `checkpoint(sequenceNumber, subSequenceNumber?)`: a delivered record. Rejected with InvalidArgumentError when the
 *   sequence number is malformed, beyond the last record delivered, or before the last checkpoint.
 * - `checkpoint(null)` (or the string `SHARD_END`): SHARD_END, only once the shard end was reached.
 * - `prepareCheckpoint(...)`: the same validation; the returned object's `checkpoint()` writes it (validated again
 *   against the latest checkpoint, so a stale prepared checkpoint never moves the stored one backwards). Prepared
 *   checkpoints live in memory only.
 *
 * Writes are serialized (calls that overlap are applied in call order), go through
 * `Checkpointer.checkpointSequence` with a copy of the lease, and are conditional on the lease: once the lease is
 * lost every call throws LeaseLostError and writes nothing. Transient store failures (LeaseStoreUnavailableError) are
 * retried with back-off; other errors reach the caller unchanged.
 * @internal
 */
import type { Checkpointer } from '../checkpoint/checkpointer';
import { SHARD_END } from '../checkpoint/shard-status';
import type { ExtendedSequenceNumber, ShardStatus } from '../checkpoint/shard-status';
import { InvalidArgumentError, LeaseLostError, isKclError } from '../errors';
import type { Logger } from '../logger/logger';
import type { PreparedCheckpointer, RecordProcessorCheckpointer } from '../processor/record-processor';
import { retry } from '../retry';
import { compareSequenceNumbers, isValidSequenceNumber } from '../sequence-number';
import type { LeaseHandle } from '../leases/lease-handle';
import { compareExtendedSequenceNumbers, formatPosition, toExtendedSequenceNumber } from './extended-sequence-number';

/** A position to store: a record position, or SHARD_END. */
type CheckpointTarget = ExtendedSequenceNumber | typeof SHARD_END;

export interface ShardCheckpointerOptions {
  /** The lease whose checkpoint is written; its `shard` is updated after each successful write. */
  lease: LeaseHandle;
  /** The lease store. */
  checkpointer: Checkpointer;
  logger: Logger;
  /**
   * Retries of a write that failed with a retryable store error (LeaseStoreUnavailableError).
   * @defaultValue `3`
   */
  retries?: number | undefined;
  /**
   * Base delay of the full-jitter back-off between those retries.
   * @defaultValue `100`
   */
  retryMinDelayMs?: number | undefined;
  /**
   * Cap of one back-off wait.
   * @defaultValue `2000`
   */
  retryMaxDelayMs?: number | undefined;
}

/** {@link RecordProcessorCheckpointer} of one lease, driven by the shard consumer. */
export class ShardRecordProcessorCheckpointer implements RecordProcessorCheckpointer {
  private readonly lease: LeaseHandle;
  private readonly store: Checkpointer;
  private readonly logger: Logger;
  private readonly retries: number;
  private readonly retryMinDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private lastDelivered: string | undefined;
  private shardEnded = false;
  private leaseLost = false;
  private writes = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: ShardCheckpointerOptions) {
    this.lease = options.lease;
    this.store = options.checkpointer;
    this.logger = options.logger;
    this.retries = options.retries ?? 3;
    this.retryMinDelayMs = options.retryMinDelayMs ?? 100;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 2_000;
  }

  /** Sequence number of the last Kinesis record handed to the processor (undefined before the first delivery). */
  get lastDeliveredSequenceNumber(): string | undefined {
    return this.lastDelivered;
  }

  /** Checkpoints written so far through this checkpointer. */
  get writeCount(): number {
    return this.writes;
  }

  /** True once the lease was marked lost or the store rejected a write with LeaseLostError. */
  get isLeaseLost(): boolean {
    return this.leaseLost;
  }

  /** True when the lease's stored checkpoint is SHARD_END. */
  get isCheckpointedAtShardEnd(): boolean {
    return this.lease.shard.checkpoint === SHARD_END;
  }

  /** The consumer calls this before handing a batch to the processor: `sequenceNumber` is its last record's. */
  recordDelivered(sequenceNumber: string): void {
    if (this.lastDelivered === undefined || compareSequenceNumbers(sequenceNumber, this.lastDelivered) > 0) {
      this.lastDelivered = sequenceNumber;
    }
  }

  /**
   * The consumer calls this when processRecords threw: the batch was not processed, so `checkpoint()` must not cover
   * it (e.g. in a shutdown(REQUESTED) that comes before the retry). `sequenceNumber` is the value
   * {@link lastDeliveredSequenceNumber} had before the batch was handed over.
   */
  restoreDelivered(sequenceNumber: string | undefined): void {
    this.lastDelivered = sequenceNumber;
  }

  /** The consumer calls this once the shard end was reached: SHARD_END becomes a valid checkpoint. */
  markShardEnd(): void {
    this.shardEnded = true;
  }

  /** The consumer calls this when the lease is lost: every later call throws LeaseLostError. */
  markLeaseLost(): void {
    this.leaseLost = true;
  }

  async checkpoint(sequenceNumber?: string | null, subSequenceNumber?: number): Promise<void> {
    const target = this.resolve(sequenceNumber, subSequenceNumber);
    if (target === undefined) {
      this.logger.debug('checkpoint(): nothing delivered yet, nothing to write', { shardId: this.lease.shardId });
      return;
    }
    await this.enqueue(() => this.write(target));
  }

  async prepareCheckpoint(sequenceNumber?: string | null, subSequenceNumber?: number): Promise<PreparedCheckpointer> {
    const target = this.resolve(sequenceNumber, subSequenceNumber);
    if (target === undefined) {
      throw new InvalidArgumentError(
        `prepareCheckpoint() on shard ${this.lease.shardId}: no record was delivered yet, so there is no position to prepare`,
      );
    }
    this.assertNotBeforeStored(target);
    const pendingCheckpoint: ExtendedSequenceNumber = target === SHARD_END ? { sequenceNumber: SHARD_END } : { ...target };
    return {
      pendingCheckpoint,
      checkpoint: () => this.enqueue(() => this.write(target)),
    };
  }

  /**
   * Writes SHARD_END on behalf of the consumer (when the processor did not at shard end). Same rules and retries as
   * a processor's checkpoint.
   */
  writeShardEnd(): Promise<void> {
    this.shardEnded = true;
    return this.enqueue(() => this.write(SHARD_END));
  }

  /** Turns the arguments into a target; undefined = `checkpoint()` with nothing delivered yet. */
  private resolve(sequenceNumber: string | null | undefined, subSequenceNumber: number | undefined): CheckpointTarget | undefined {
    this.assertLeaseHeld();
    const shardId = this.lease.shardId;
    if (sequenceNumber === undefined) {
      if (subSequenceNumber !== undefined) {
        throw new InvalidArgumentError(`checkpoint on shard ${shardId}: subSequenceNumber ${subSequenceNumber} given without a sequenceNumber`);
      }
      if (this.shardEnded) return SHARD_END;
      return this.lastDelivered === undefined ? undefined : { sequenceNumber: this.lastDelivered };
    }
    if (sequenceNumber === null || sequenceNumber === SHARD_END) {
      if (subSequenceNumber !== undefined) {
        throw new InvalidArgumentError(`checkpoint on shard ${shardId}: SHARD_END takes no subSequenceNumber (got ${subSequenceNumber})`);
      }
      if (!this.shardEnded) {
        throw new InvalidArgumentError(
          `checkpoint(null) = SHARD_END on shard ${shardId} is only allowed once the shard end was reached (shutdown reason TERMINATE)`,
        );
      }
      return SHARD_END;
    }
    const target = toExtendedSequenceNumber(sequenceNumber, subSequenceNumber);
    if (this.lastDelivered === undefined || compareSequenceNumbers(target.sequenceNumber, this.lastDelivered) > 0) {
      throw new InvalidArgumentError(
        `checkpoint at ${formatPosition(target)} on shard ${shardId} is beyond the last record delivered (${this.lastDelivered ?? 'none yet'})`,
      );
    }
    this.assertNotBeforeStored(target);
    return target;
  }

  private assertLeaseHeld(): void {
    if (this.leaseLost || this.lease.lost) {
      this.leaseLost = true;
      throw new LeaseLostError(this.lease.shardId, `Cannot checkpoint shard ${this.lease.shardId}: its lease was lost`);
    }
  }

  private assertNotBeforeStored(target: CheckpointTarget): void {
    const stored = this.lease.shard.checkpoint;
    if (stored === undefined) return;
    if (stored === SHARD_END) {
      if (target === SHARD_END) return;
      throw new InvalidArgumentError(
        `checkpoint at ${formatPosition(target)} on shard ${this.lease.shardId}: the shard is already checkpointed at SHARD_END`,
      );
    }
    if (target === SHARD_END || !isValidSequenceNumber(stored)) return;
    const storedPosition: ExtendedSequenceNumber = { sequenceNumber: stored, subSequenceNumber: this.lease.shard.subSequenceNumber };
    if (compareExtendedSequenceNumbers(target, storedPosition) < 0) {
      throw new InvalidArgumentError(
        `checkpoint at ${formatPosition(target)} on shard ${this.lease.shardId} is before the last checkpoint (${formatPosition(storedPosition)})`,
      );
    }
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(target: CheckpointTarget): Promise<void> {
    this.assertLeaseHeld();
    this.assertNotBeforeStored(target);
    const shard = this.lease.shard;
    const checkpoint = target === SHARD_END ? SHARD_END : target.sequenceNumber;
    const subSequenceNumber = target === SHARD_END ? undefined : target.subSequenceNumber;
    const copy: ShardStatus = { ...shard, parentShardIds: [...shard.parentShardIds], checkpoint, subSequenceNumber };
    try {
      await retry(() => this.store.checkpointSequence(copy), {
        retries: this.retries,
        minDelayMillis: this.retryMinDelayMs,
        maxDelayMillis: Math.max(this.retryMinDelayMs, this.retryMaxDelayMs),
        signal: this.lease.lostSignal,
        shouldRetry: (error) => isKclError(error) && error.code === 'LEASE_STORE_UNAVAILABLE',
        operation: `checkpoint of shard ${shard.id}`,
        onRetry: ({ error, attempt, delayMillis }) =>
          this.logger.warn('Checkpoint write failed, retrying', { shardId: shard.id, attempt, delayMillis, error }),
      });
    } catch (error) {
      if (isKclError(error) && error.code === 'LEASE_LOST') {
        this.leaseLost = true;
        throw error;
      }
      if (this.lease.lost) {
        this.leaseLost = true;
        throw new LeaseLostError(shard.id, `Checkpoint of shard ${shard.id} abandoned: its lease was lost`, { cause: error });
      }
      throw error;
    }
    shard.checkpoint = checkpoint;
    shard.subSequenceNumber = subSequenceNumber;
    this.writes += 1;
    this.logger.debug('Checkpoint written', { shardId: shard.id, checkpoint, subSequenceNumber });
  }
}

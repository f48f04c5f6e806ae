/** Delivery accounting of `pnpm bench:scale`: what the producer put against what the workers delivered. Pure. */

/** One processRecords batch a worker reports: shard, sequence numbers, and whether its checkpoint succeeded. */
export interface DeliveredBatch {
  shardId: string;
  sequenceNumbers: string[];
  checkpointed: boolean;
}

export interface DeliverySummary {
  /** Records the producer put successfully (Kinesis returned a sequence number). */
  produced: number;
  /** Produced records delivered at least once. */
  delivered: number;
  /** Produced records not delivered by the end of the run (lost, or still pending when the drain gave up). */
  lost: number;
  /** Deliveries beyond the first of a record (at-least-once redeliveries included). */
  duplicates: number;
  /**
   * Duplicates of a record whose earlier delivery had been checkpointed: redeliveries that at-least-once does not
   * explain (a record past the last checkpoint may legitimately come again when its lease moves).
   */
  duplicatesAfterCheckpoint: number;
  /** Deliveries of records the producer did not put (should be 0). */
  unknown: number;
}

interface RecordState {
  deliveries: number;
  checkpointed: boolean;
}

/** Collects produced and delivered records per shard and sequence number. */
export class DeliveryLedger {
  private readonly shards = new Map<string, Map<string, RecordState>>();
  private producedCount = 0;
  private duplicates = 0;
  private duplicatesAfterCheckpoint = 0;
  private unknown = 0;

  /** The producer put a record; Kinesis placed it in `shardId` at `sequenceNumber`. */
  produced(shardId: string, sequenceNumber: string): void {
    let records = this.shards.get(shardId);
    if (!records) this.shards.set(shardId, (records = new Map<string, RecordState>()));
    if (records.has(sequenceNumber)) return;
    records.set(sequenceNumber, { deliveries: 0, checkpointed: false });
    this.producedCount++;
  }

  /** A worker delivered a batch to its processor (and checkpointed it, or not). */
  delivered(batch: DeliveredBatch): void {
    const records = this.shards.get(batch.shardId);
    for (const sequenceNumber of batch.sequenceNumbers) {
      const state = records?.get(sequenceNumber);
      if (!state) {
        this.unknown++;
        continue;
      }
      if (state.deliveries > 0) {
        this.duplicates++;
        if (state.checkpointed) this.duplicatesAfterCheckpoint++;
      }
      state.deliveries++;
      if (batch.checkpointed) state.checkpointed = true;
    }
  }

  /** Records produced so far that were not delivered yet. */
  pending(): number {
    return this.producedCount - this.deliveredCount();
  }

  summary(): DeliverySummary {
    const delivered = this.deliveredCount();
    return {
      produced: this.producedCount,
      delivered,
      lost: this.producedCount - delivered,
      duplicates: this.duplicates,
      duplicatesAfterCheckpoint: this.duplicatesAfterCheckpoint,
      unknown: this.unknown,
    };
  }

  private deliveredCount(): number {
    let count = 0;
    for (const records of this.shards.values()) for (const state of records.values()) if (state.deliveries > 0) count++;
    return count;
  }
}

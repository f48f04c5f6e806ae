/** The part of a Kinesis record the tally reads. */
export interface TalliedRecord {
  sequenceNumber: string;
  subSequenceNumber?: number | undefined;
}

/**
 * Counts what one application consumed: deliveries and distinct records (a record delivered again after a retry or
 * a lease move counts once). `done` resolves once `target` distinct records were seen; without a target it never
 * resolves.
 */
export class ConsumptionTally {
  readonly name: string;
  readonly target: number | undefined;
  /** Records delivered to processRecords, redeliveries included. */
  deliveries = 0;
  private readonly seen = new Set<string>();
  private countWithoutTarget = 0;
  private resolveDone: (() => void) | undefined;
  readonly done: Promise<void>;

  constructor(name: string, target: number | undefined) {
    this.name = name;
    this.target = target;
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Distinct records consumed so far (without a target: deliveries). */
  get distinct(): number {
    return this.target === undefined ? this.countWithoutTarget : this.seen.size;
  }

  /** Records a batch handed to processRecords. */
  add(records: readonly TalliedRecord[]): void {
    this.deliveries += records.length;
    if (this.target === undefined) {
      // Unbounded runs (AWS, --forever) keep no per-record state.
      this.countWithoutTarget += records.length;
      return;
    }
    for (const record of records) this.seen.add(`${record.sequenceNumber}/${record.subSequenceNumber ?? 0}`);
    if (this.seen.size >= this.target) this.resolveDone?.();
  }

  /** e.g. `[orders] consumed 50 of 50 sample records (52 deliveries)` */
  summary(): string {
    const what = this.target === undefined ? `${this.distinct} records` : `${this.distinct} of ${this.target} sample records`;
    return `[${this.name}] consumed ${what} (${this.deliveries} deliveries)`;
  }
}

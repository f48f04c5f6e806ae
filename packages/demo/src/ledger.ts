/**
 * What the demo's processors saw: every delivery of every record id, per-shard progress and ownership. The summary
 * (produced / consumed / duplicates / lost) is computed from it.
 */
export interface ShardView {
  shardId: string;
  owner: string | undefined;
  delivered: number;
  millisBehindLatest: number | undefined;
  ended: boolean;
}

export interface DemoSummary {
  produced: number;
  /** Distinct records delivered to a processor at least once. */
  consumed: number;
  /** Deliveries beyond the first of a record. */
  duplicates: number;
  /** Produced records never delivered. */
  lost: number;
  /** Deliveries in total. */
  deliveries: number;
  /** Records delivered out of order within one shard lease tenure (must be 0). */
  outOfOrder: number;
  shards: number;
  workers: number;
  backend: string;
  /** Leases that moved from one worker to another during the run. */
  leaseMoves: number;
  /** Worker that left midway, if any. */
  stoppedWorker: string | undefined;
  /** From the first put to the last record consumed. */
  elapsedMillis: number;
  recordsPerSecond: number;
  /** Milliseconds from the first worker's start() to the first record delivered. */
  firstRecordMillis: number | undefined;
}

export class Ledger {
  private readonly counts: Uint8Array;
  private distinct = 0;
  private deliveriesTotal = 0;
  private outOfOrderTotal = 0;
  private readonly shards = new Map<string, ShardView>();
  private readonly lastIdByTenure = new Map<string, number>();
  private moves = 0;
  produced = 0;
  firstDeliveryAt: number | undefined;
  lastDeliveryAt: number | undefined;

  constructor(readonly capacity: number) {
    this.counts = new Uint8Array(capacity);
  }

  shard(shardId: string): ShardView {
    let view = this.shards.get(shardId);
    if (!view) {
      view = { shardId, owner: undefined, delivered: 0, millisBehindLatest: undefined, ended: false };
      this.shards.set(shardId, view);
    }
    return view;
  }

  shardViews(): ShardView[] {
    return [...this.shards.values()].sort((a, b) => a.shardId.localeCompare(b.shardId));
  }

  leaseAcquired(shardId: string, workerId: string): void {
    const view = this.shard(shardId);
    if (view.owner !== undefined && view.owner !== workerId) this.moves++;
    else if (view.owner === undefined && view.delivered > 0) this.moves++;
    view.owner = workerId;
  }

  leaseReleased(shardId: string, workerId: string): void {
    const view = this.shard(shardId);
    if (view.owner === workerId) view.owner = undefined;
  }

  /** Records one delivery of record `id` on `shardId` by the processor of lease tenure `tenure`. */
  deliver(shardId: string, tenure: string, id: number, millisBehindLatest: number): void {
    const now = Date.now();
    this.firstDeliveryAt ??= now;
    this.lastDeliveryAt = now;
    this.deliveriesTotal++;
    if (id >= 0 && id < this.capacity) {
      if (this.counts[id] === 0) this.distinct++;
      if (this.counts[id]! < 255) this.counts[id]!++;
    }
    const last = this.lastIdByTenure.get(tenure);
    if (last !== undefined && id <= last) this.outOfOrderTotal++;
    this.lastIdByTenure.set(tenure, id);
    const view = this.shard(shardId);
    view.delivered++;
    view.millisBehindLatest = millisBehindLatest;
  }

  get consumed(): number {
    return this.distinct;
  }

  get deliveries(): number {
    return this.deliveriesTotal;
  }

  get leaseMoves(): number {
    return this.moves;
  }

  get outOfOrder(): number {
    return this.outOfOrderTotal;
  }

  /** Distinct records of ids [0, produced) never delivered. */
  lostCount(): number {
    let lost = 0;
    for (let id = 0; id < this.produced; id++) if (this.counts[id] === 0) lost++;
    return lost;
  }
}

/**
 * Everything the record processors of a test saw, across workers (and processes): every processRecords call with
 * its worker, shard, records and start/end time, and every processor shutdown. The checks the tests assert on
 * (nothing lost, order per shard, no two workers on one shard at the same time, duplicates) are methods here. The
 * one delivery ledger of core's worker tests and the end-to-end tests; `Reason` is core's ShutdownReason (this
 * package does not depend on core).
 */

export interface DeliveredRecord {
  data: string;
  sequenceNumber: string;
}

/** One processRecords call. */
export interface DeliveryBatch {
  workerId: string;
  shardId: string;
  /** Which processor object (one lease tenure) was called, e.g. `${workerId}#n`. */
  instance: string;
  /** Monotonic time (ms) the call started and returned (or threw). */
  start: number;
  end: number;
  records: DeliveredRecord[];
  /** processRecords threw (the same batch must come again). */
  failed: boolean;
}

export interface ShutdownEntry<Reason = unknown> {
  workerId: string;
  shardId: string;
  instance: string;
  reason: Reason;
  /** When shutdown() was called. */
  at: number;
  /** When shutdown() returned. */
  end: number;
  /** The processor's checkpoint in shutdown() succeeded (REQUESTED: last record; TERMINATE: SHARD_END). */
  checkpointed: boolean;
}

/** A pair of batches of one shard, by two different workers, whose [start, end] intervals overlap. */
export type Overlap = [DeliveryBatch, DeliveryBatch];

export class DeliveryLog<Reason = unknown> {
  readonly batches: DeliveryBatch[] = [];
  readonly shutdowns: Array<ShutdownEntry<Reason>> = [];

  addBatch(batch: DeliveryBatch): void {
    this.batches.push(batch);
  }

  addShutdown(entry: ShutdownEntry<Reason>): void {
    this.shutdowns.push(entry);
  }

  /** Batches the processor accepted (did not throw), in call order. */
  accepted(): DeliveryBatch[] {
    return this.batches.filter((b) => !b.failed);
  }

  /** Records of accepted batches, in delivery order, with their batch. */
  deliveries(): Array<DeliveredRecord & { batch: DeliveryBatch }> {
    return this.accepted().flatMap((batch) => batch.records.map((r) => ({ ...r, batch })));
  }

  /** Distinct payloads delivered (accepted batches only). */
  payloads(): Set<string> {
    return new Set(this.deliveries().map((d) => d.data));
  }

  /** Payloads of `expected` never delivered. */
  missing(expected: Iterable<string>): string[] {
    const got = this.payloads();
    return [...expected].filter((p) => !got.has(p));
  }

  /** Payloads delivered more than once (each repeat listed once per extra delivery). */
  duplicates(): string[] {
    const seen = new Set<string>();
    const repeats: string[] = [];
    for (const d of this.deliveries()) {
      if (seen.has(d.data)) repeats.push(d.data);
      seen.add(d.data);
    }
    return repeats;
  }

  /**
   * Order per shard. Within one processor instance (one lease tenure) sequence numbers strictly increase. Across
   * tenures a shard may restart from its last checkpoint (records delivered again), but a record is never delivered
   * for the first time after a later record of its shard was. Returns one line per violation.
   */
  orderViolations(): string[] {
    const problems: string[] = [];
    const lastByInstance = new Map<string, bigint>();
    const highestFirstSeen = new Map<string, bigint>();
    const seen = new Set<string>();
    for (const d of this.deliveries()) {
      const seq = BigInt(d.sequenceNumber);
      const { instance, shardId } = d.batch;
      const previous = lastByInstance.get(instance);
      if (previous !== undefined && seq <= previous) problems.push(`${shardId} (${instance}): ${seq} after ${previous}`);
      lastByInstance.set(instance, seq);
      if (seen.has(d.data)) continue;
      seen.add(d.data);
      const highest = highestFirstSeen.get(shardId);
      if (highest !== undefined && seq < highest) problems.push(`${shardId}: ${seq} first delivered after ${highest}`);
      if (highest === undefined || seq > highest) highestFirstSeen.set(shardId, seq);
    }
    return problems;
  }

  /** Batches of one shard by two different workers that overlap in time (failed calls included). */
  overlaps(): Overlap[] {
    const found: Overlap[] = [];
    const byShard = new Map<string, DeliveryBatch[]>();
    for (const b of this.batches) {
      const list = byShard.get(b.shardId);
      if (list) list.push(b);
      else byShard.set(b.shardId, [b]);
    }
    for (const list of byShard.values()) {
      const sorted = [...list].sort((a, b) => a.start - b.start);
      for (let i = 0; i < sorted.length; i++) {
        const a = sorted[i] as DeliveryBatch;
        for (let j = i + 1; j < sorted.length; j++) {
          const b = sorted[j] as DeliveryBatch;
          if (b.start > a.end) break;
          if (a.workerId !== b.workerId) found.push([a, b]);
        }
      }
    }
    return found;
  }

  /** Workers that delivered records of each shard. */
  workersByShard(): Map<string, Set<string>> {
    const map = new Map<string, Set<string>>();
    for (const b of this.accepted()) {
      if (b.records.length === 0) continue;
      const set = map.get(b.shardId) ?? new Set<string>();
      set.add(b.workerId);
      map.set(b.shardId, set);
    }
    return map;
  }

  /** Batches of `shardId` (by `workerId` if given), in call order. */
  batchesOf(shardId: string, workerId?: string): DeliveryBatch[] {
    return this.batches.filter((b) => b.shardId === shardId && (workerId === undefined || b.workerId === workerId));
  }

  /** Start of the first call for `shardId` (by `workerId`), or undefined. */
  firstStart(shardId: string, workerId?: string): number | undefined {
    return this.batchesOf(shardId, workerId)[0]?.start;
  }

  /** Latest end of a call for `shardId` (by `workerId`), or undefined. */
  lastEnd(shardId: string, workerId?: string): number | undefined {
    const list = this.batchesOf(shardId, workerId);
    return list.length === 0 ? undefined : Math.max(...list.map((b) => b.end));
  }

  /** Shutdowns of `shardId`'s processors (by `workerId`). */
  shutdownsOf(shardId: string, workerId?: string): Array<ShutdownEntry<Reason>> {
    return this.shutdowns.filter((s) => s.shardId === shardId && (workerId === undefined || s.workerId === workerId));
  }
}

/** Describes overlaps for an assertion message. */
export function describeOverlaps(overlaps: Overlap[]): string[] {
  return overlaps.map(
    ([a, b]) =>
      `${a.shardId}: ${a.workerId} [${a.start.toFixed(1)}, ${a.end.toFixed(1)}] and ${b.workerId} [${b.start.toFixed(1)}, ${b.end.toFixed(1)}]`,
  );
}

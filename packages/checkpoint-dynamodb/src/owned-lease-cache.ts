/**
 * `listOwnedLeases` for the store's own worker id without a Query of the owner index on every call.
 *
 * Every lease write that gives a lease to another worker is followed by an assignment signal (assignment-signals.ts):
 * `AssignmentEpoch` + 1 on that worker's registry item. The worker learns its epoch from its own heartbeat (the write
 * returns the item) or, when the last one is older than {@link EPOCH_MAX_AGE_MILLIS}, from one eventually consistent
 * GetItem of its registry item (half a read unit). The list of its leases it last read stays the answer while
 *
 * - the epoch (and the heartbeat counter: an item deleted and created again starts at 0, an epoch could then repeat)
 *   is what it was when that list was read,
 * - that read is younger than `refreshMillis` (the safety net for lease writers that send no signal: an older @kcl,
 *   a signal that failed), and
 * - it was not the first read or the first read after the epoch moved: the owner index is eventually consistent and
 *   may not show a lease assigned a moment before, so the next call reads it once more.
 *
 * Between reads the list follows this store's own writes and reads: a lease it takes or renews for the worker is added,
 * one it sees owned by someone else (a read of the lease, a renewal or checkpoint refused as LEASE_LOST, a release, a
 * transfer away, a deletion) is dropped, so the caller does not read again and again a lease it can no longer adopt.
 * The answer stays a hint, as the contract says: the conditional renewal decides.
 */
import { performance } from 'node:perf_hooks';
import type { OwnedLease } from '@kcl/core';
import type { RegistryState } from './coordination-writes';

/** How old the known epoch may be before a call reads the registry item instead of trusting the last heartbeat. */
export const EPOCH_MAX_AGE_MILLIS = 1_000;

interface Snapshot {
  leases: Map<string, number | undefined>;
  /** When the read that filled it started. */
  readAt: number;
  /** The registry state known when that read started (undefined: none known yet). */
  basis: RegistryState | undefined;
  /** Read the index once more at the next call (this read was the first, or followed an epoch move). */
  recheck: boolean;
}

export interface OwnedLeaseCacheOptions {
  /** Read the owner index at least this often, signal or not; 0 = on every call. */
  refreshMillis: number;
  /** The owner-index read (Query, or Scan without the index). */
  readIndex: () => Promise<OwnedLease[]>;
  /** The registry item of the worker (eventually consistent). */
  readRegistry: () => Promise<RegistryState>;
  now?: () => number;
}

export class OwnedLeaseCache {
  private readonly options: OwnedLeaseCacheOptions;
  private readonly now: () => number;
  private observed: (RegistryState & { at: number }) | undefined;
  private snapshot: Snapshot | undefined;
  /** Changes seen while index reads are in flight, applied on top of their answer (undefined = none in flight). */
  private edits: Array<[shardId: string, counter: number | undefined, lost: boolean]> | undefined;
  private reading = 0;

  constructor(options: OwnedLeaseCacheOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
  }

  /** The worker's registry item as its heartbeat or a read returned it. */
  observe(state: RegistryState): void {
    this.observed = { counter: state.counter, epoch: state.epoch, at: this.now() };
  }

  /** The worker's leases: from the last read while nothing signals a change, else from the owner index. */
  async list(): Promise<OwnedLease[]> {
    const snapshot = this.snapshot;
    if (snapshot === undefined) return this.read(true);
    if (snapshot.recheck || this.now() - snapshot.readAt >= this.options.refreshMillis) return this.read(moved(snapshot.basis, this.observed));
    if (this.observed === undefined || this.now() - this.observed.at > EPOCH_MAX_AGE_MILLIS) this.observe(await this.options.readRegistry());
    if (moved(snapshot.basis, this.observed)) return this.read(true);
    return listOf(snapshot.leases);
  }

  /** The worker holds `shardId` (taken or renewed by this store, or read with this owner) at `counter`. */
  held(shardId: string, counter: number): void {
    this.snapshot?.leases.set(shardId, counter);
    this.edits?.push([shardId, counter, false]);
  }

  /** `shardId` is not the worker's (another owner, released, deleted). */
  lost(shardId: string): void {
    this.snapshot?.leases.delete(shardId);
    this.edits?.push([shardId, undefined, true]);
  }

  /** Forgets everything: the next call reads the owner index (e.g. the registry item was deleted). */
  reset(): void {
    this.snapshot = undefined;
    this.observed = undefined;
  }

  private async read(recheck: boolean): Promise<OwnedLease[]> {
    const basis = this.observed === undefined ? undefined : { counter: this.observed.counter, epoch: this.observed.epoch };
    const readAt = this.now();
    this.reading += 1;
    this.edits ??= [];
    const edits = this.edits;
    const start = edits.length;
    try {
      const leases = new Map((await this.options.readIndex()).map((o) => [o.shardId, o.leaseCounter] as const));
      for (const [shardId, counter, lost] of edits.slice(start)) {
        if (lost) leases.delete(shardId);
        else leases.set(shardId, counter);
      }
      this.snapshot = { leases, readAt, basis, recheck };
      return listOf(leases);
    } finally {
      this.reading -= 1;
      if (this.reading === 0) this.edits = undefined;
    }
  }
}

function moved(basis: RegistryState | undefined, now: RegistryState | undefined): boolean {
  if (now === undefined) return false;
  return basis === undefined || now.epoch !== basis.epoch || now.counter < basis.counter;
}

function listOf(leases: ReadonlyMap<string, number | undefined>): OwnedLease[] {
  return [...leases].map(([shardId, leaseCounter]) => (leaseCounter === undefined ? { shardId } : { shardId, leaseCounter }));
}

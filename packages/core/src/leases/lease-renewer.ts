import type { Checkpointer } from '../checkpoint/checkpointer';
import type { ShardStatus } from '../checkpoint/shard-status';
import { isKclError } from '../errors';
import type { Logger } from '../logger/logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import { LEASE_WRITE_CONCURRENCY, mapBounded } from './bounded-concurrency';
import { renewalCopy, type HeldLease, type LeaseLostReason } from './held-lease';
import type { LeaseTiming } from './lease-timing';
import type { MonotonicClock } from './monotonic-clock';
import { callSafely } from '../internal/safe-call';

export interface LeaseRenewerOptions {
  checkpointer: Checkpointer;
  workerId: string;
  timing: LeaseTiming;
  clock: MonotonicClock;
  logger: Logger;
  monitoring: MonitoringService;
  /** The lease is gone (`taken`) or could not be renewed in time (`expired`); `handle.lostSignal` is already aborted. */
  onLost: (handle: HeldLease, reason: LeaseLostReason, cause: unknown) => void;
  /** A renewal failed in a way that may heal (the store did not answer...); renewal is retried. */
  onError: (error: unknown, shardId: string) => void;
}

/**
 * Most leases in one `renewLeases` call. On Redis one call is one Lua script, which blocks the server while it runs
 * and whose reply the worker decodes in one go: 10,000 leases in one call take tens of ms on both sides and send a
 * megabyte at once. 250 keep each call to a few ms.
 */
export const RENEW_BATCH_MAX = 250;

interface Tracked {
  handle: HeldLease;
  /** Monotonic time at which the next renewal is due. */
  dueAt: number;
  inFlight: boolean;
  stopped: boolean;
}

/**
 * Keeps the leases this worker holds alive with ONE scheduler for all of them (not two timers per lease): each tick
 * renews every lease that is due, in `renewLeases` calls of at most {@link RENEW_BATCH_MAX} leases when the store has
 * it (Redis: one round trip each), else with one conditional `renewLease(heldState, workerId)` per lease, in parallel
 * (at most {@link LEASE_WRITE_CONCURRENCY} in flight). Renewals never wait for the take loops' write slots. Each
 * lease is renewed every `renewIntervalMillis`; its validity is timed from the START of its last successful renewal
 * (see {@link LeaseTiming}), exactly as with one timer per lease.
 *
 * - LeaseLostError for a lease: it was taken; its lost signal is aborted at once (`taken`).
 * - Any other failure (store unavailable, timeout...): that lease is retried after `renewRetryMillis`. One expiry timer
 *   fires when the first validity window closes without a successful renewal and aborts the lost signal (`expired`),
 *   so a worker whose store stopped answering - even one whose request hangs - gives its shards up before another
 *   worker may take them.
 * - A claim by another worker seen on renewal sets `handoffRequested` on the handle (a hand-off).
 */
export class LeaseRenewer {
  private readonly options: LeaseRenewerOptions;
  private readonly tracked = new Map<string, Tracked>();
  private tickTimer: NodeJS.Timeout | undefined;
  private tickAt: number | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryAt: number | undefined;
  private schedulePending = false;

  constructor(options: LeaseRenewerOptions) {
    this.options = options;
  }

  /** Starts renewing `handle` (the take counts as the first renewal). */
  track(handle: HeldLease): void {
    this.untrack(handle.shardId);
    const dueAt = this.options.clock() + this.options.timing.renewIntervalMillis;
    this.tracked.set(handle.shardId, { handle, dueAt, inFlight: false, stopped: false });
    this.scheduleSoon();
  }

  /** Stops renewing the lease of `shardId` (released, ended or lost). */
  untrack(shardId: string): void {
    const entry = this.tracked.get(shardId);
    if (!entry) return;
    entry.stopped = true;
    this.tracked.delete(shardId);
    if (this.tracked.size === 0) this.clearTimers();
  }

  /** Shard ids being renewed. */
  trackedIds(): string[] {
    return [...this.tracked.keys()];
  }

  /** Stops every renewal. Renewal requests in flight are not awaited (a hung store must not block shutdown). */
  stopAll(): void {
    for (const entry of this.tracked.values()) entry.stopped = true;
    this.tracked.clear();
    this.clearTimers();
  }

  private clearTimers(): void {
    if (this.tickTimer) clearTimeout(this.tickTimer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.tickTimer = undefined;
    this.tickAt = undefined;
    this.expiryTimer = undefined;
    this.expiryAt = undefined;
  }

  /** Schedules once after the current synchronous run: tracking 1,000 leases in a row costs one pass, not 1,000. */
  private scheduleSoon(): void {
    if (this.schedulePending) return;
    this.schedulePending = true;
    queueMicrotask(() => {
      this.schedulePending = false;
      if (this.tracked.size > 0) this.schedule();
    });
  }

  /** (Re)arms the tick timer at the earliest due renewal and the expiry timer at the earliest end of validity. */
  private schedule(): void {
    const now = this.options.clock();
    let nextDue = Infinity;
    let nextInvalid = Infinity;
    for (const entry of this.tracked.values()) {
      if (!entry.inFlight) nextDue = Math.min(nextDue, entry.dueAt);
      nextInvalid = Math.min(nextInvalid, now + entry.handle.millisUntilInvalid());
    }
    if (nextDue !== this.tickAt) {
      if (this.tickTimer) clearTimeout(this.tickTimer);
      this.tickTimer = undefined;
      this.tickAt = undefined;
      if (nextDue !== Infinity) {
        this.tickAt = nextDue;
        this.tickTimer = setTimeout(
          () => {
            this.tickTimer = undefined;
            this.tickAt = undefined;
            void this.tick();
          },
          Math.max(0, nextDue - now),
        );
      }
    }
    if (nextInvalid !== this.expiryAt) {
      if (this.expiryTimer) clearTimeout(this.expiryTimer);
      this.expiryTimer = undefined;
      this.expiryAt = undefined;
      if (nextInvalid !== Infinity) {
        this.expiryAt = nextInvalid;
        // +1 ms so that isValid() is already false when the timer fires.
        this.expiryTimer = setTimeout(
          () => {
            this.expiryTimer = undefined;
            this.expiryAt = undefined;
            this.checkExpiry();
          },
          Math.max(0, nextInvalid - now) + 1,
        );
      }
    }
  }

  private async tick(): Promise<void> {
    // Leases due within the next retry delay join this call (renewed up to a quarter interval early: harmless, validity
    // counts from the start of each renewal), so leases tracked at slightly different times share one call. This also
    // covers a timer that fires a millisecond early as measured by the clock.
    const now = this.options.clock() + this.options.timing.renewRetryMillis;
    const due = [...this.tracked.values()].filter((e) => !e.inFlight && e.dueAt <= now);
    try {
      if (due.length > 0) {
        const run = this.renewBatch(due);
        this.schedule(); // the others keep their own times while this batch is in flight
        await run;
      }
    } catch (error) {
      // renewBatch handles store errors itself; this only guards against a throwing logger or sink.
      this.options.logger.error('lease renewal step failed unexpectedly', { error });
    }
    this.schedule();
  }

  private checkExpiry(): void {
    for (const entry of [...this.tracked.values()]) {
      if (entry.stopped || entry.handle.isValid()) continue;
      this.options.logger.warn('lease not renewed within its validity window: giving the shard up', {
        shardId: entry.handle.shardId,
        validityMillis: this.options.timing.validityMillis,
      });
      this.lose(entry, 'expired', undefined);
    }
    this.schedule();
  }

  private lose(entry: Tracked, reason: LeaseLostReason, cause: unknown): void {
    entry.stopped = true;
    if (this.tracked.get(entry.handle.shardId) === entry) this.tracked.delete(entry.handle.shardId);
    if (entry.handle.markLost(reason, cause)) this.options.onLost(entry.handle, reason, cause);
  }

  /**
   * Renews `entries`: in calls of at most {@link RENEW_BATCH_MAX} leases, all sent at once, when the store has
   * `renewLeases` (one round trip however large the held set: on a busy event loop every further round would add its
   * delay), else one `renewLease` per lease (at most {@link LEASE_WRITE_CONCURRENCY} in flight). Never rejects because
   * of the store; every entry is in flight until its own call settled.
   */
  private async renewBatch(entries: Tracked[]): Promise<void> {
    if (entries.length === 0) return;
    for (const entry of entries) entry.inFlight = true;
    try {
      if (typeof this.options.checkpointer.renewLeases === 'function') {
        const chunks: Tracked[][] = [];
        for (let i = 0; i < entries.length; i += RENEW_BATCH_MAX) chunks.push(entries.slice(i, i + RENEW_BATCH_MAX));
        await Promise.all(chunks.map((chunk) => this.renewChunk(chunk)));
      } else {
        await mapBounded(entries, LEASE_WRITE_CONCURRENCY, (entry) => this.renewChunk([entry]));
      }
    } finally {
      for (const entry of entries) entry.inFlight = false;
    }
  }

  /** One store call: `renewLeases` for `entries`, or `renewLease` for the single entry when the store has no batch call. */
  private async renewChunk(entries: Tracked[]): Promise<void> {
    const { checkpointer, workerId, clock, logger } = this.options;
    const copies = entries.map((e) => renewalCopy(e.handle.shard));
    const startedAt = clock();
    let results: unknown[];
    try {
      if (typeof checkpointer.renewLeases === 'function') {
        results = await checkpointer.renewLeases(copies, workerId);
      } else {
        const copy = copies[0] as ShardStatus;
        await checkpointer.renewLease(copy, workerId);
        results = [copy];
      }
    } catch (error) {
      results = entries.map(() => (error instanceof Error ? error : new Error(String(error))));
    }
    for (const entry of entries) entry.inFlight = false;
    try {
      entries.forEach((entry, i) => this.apply(entry, copies[i] as ShardStatus, results[i], startedAt));
    } catch (error) {
      // apply handles store results itself; this only guards against a throwing logger, so the other chunks go on.
      logger.error('applying lease renewals failed unexpectedly', { error });
    }
  }

  private apply(entry: Tracked, copy: ShardStatus, result: unknown, startedAt: number): void {
    if (entry.stopped) return;
    const { workerId, monitoring, logger, timing, clock } = this.options;
    const { handle } = entry;
    if (result === undefined || result instanceof Error || typeof result !== 'object') {
      const error = result ?? new Error('the lease store returned no result for this lease');
      if (isKclError(error) && error.code === 'LEASE_LOST') {
        logger.warn('lease lost on renewal', { shardId: handle.shardId });
        this.lose(entry, 'taken', error);
        return;
      }
      logger.warn('lease renewal failed; retrying', {
        shardId: handle.shardId,
        error,
        millisUntilInvalid: Math.round(handle.millisUntilInvalid()),
      });
      callSafely(() => this.options.onError(error, handle.shardId));
      entry.dueAt = clock() + timing.renewRetryMillis;
      return;
    }
    const renewed = result as ShardStatus;
    const wasHandoff = handle.handoffRequested;
    handle.applyRenewal(renewed.id === copy.id ? renewed : copy, startedAt, workerId);
    if (!wasHandoff && handle.handoffRequested) {
      logger.info('another worker claimed this lease: handing it over after the current batch', {
        shardId: handle.shardId,
        claimRequest: handle.shard.claimRequest,
      });
    }
    callSafely(() => monitoring.leaseRenewed(handle.shardId));
    // Leases renewed together stay due together, so the next tick renews them in one call again.
    entry.dueAt = startedAt + timing.renewIntervalMillis;
  }
}

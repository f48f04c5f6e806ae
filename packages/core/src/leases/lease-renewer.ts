import type { Checkpointer } from '../checkpoint/checkpointer';
import { isKclError } from '../errors';
import type { Logger } from '../logger/logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import { renewalCopy, type HeldLease, type LeaseLostReason } from './held-lease';
import type { LeaseTiming } from './lease-timing';
import type { MonotonicClock } from './monotonic-clock';

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

interface Tracked {
  handle: HeldLease;
  renewTimer: NodeJS.Timeout | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
  stopped: boolean;
  inFlight: Promise<void> | undefined;
}

/**
 * Keeps the leases this worker holds alive: renews each one every `renewIntervalMillis` with
 * `getLease(heldState, workerId)` (a renewal, conditional on owner and token). The validity of a lease is timed from
 * the START of its last successful renewal (see {@link LeaseTiming}).
 *
 * - LeaseLostError on renewal: the lease was taken; the lost signal is aborted at once (`taken`).
 * - Any other failure (store unavailable, timeout...): retried after `renewRetryMillis`. A timer fires when the
 *   validity window closes without a successful renewal and aborts the lost signal (`expired`), so a worker whose
 *   store stopped answering - even one whose request hangs - gives its shards up before another worker may take them.
 * - A claim by another worker seen on renewal sets `handoffRequested` on the handle (lease stealing).
 */
export class LeaseRenewer {
  private readonly options: LeaseRenewerOptions;
  private readonly tracked = new Map<string, Tracked>();

  constructor(options: LeaseRenewerOptions) {
    this.options = options;
  }

  /** Starts renewing `handle` (the take counts as the first renewal). */
  track(handle: HeldLease): void {
    this.untrack(handle.shardId);
    const entry: Tracked = { handle, renewTimer: undefined, expiryTimer: undefined, stopped: false, inFlight: undefined };
    this.tracked.set(handle.shardId, entry);
    this.armExpiry(entry);
    this.scheduleRenewal(entry, this.options.timing.renewIntervalMillis);
  }

  /** Stops renewing the lease of `shardId` (released, ended or lost). */
  untrack(shardId: string): void {
    const entry = this.tracked.get(shardId);
    if (!entry) return;
    this.stopEntry(entry);
    this.tracked.delete(shardId);
  }

  /** Shard ids being renewed. */
  trackedIds(): string[] {
    return [...this.tracked.keys()];
  }

  /** Stops every renewal. Renewal requests in flight are not awaited (a hung store must not block shutdown). */
  stopAll(): void {
    for (const entry of this.tracked.values()) this.stopEntry(entry);
    this.tracked.clear();
  }

  /** Renews every tracked lease now (used in tests and after a pause). */
  async renewAllNow(): Promise<void> {
    await Promise.all([...this.tracked.values()].map((entry) => this.renew(entry)));
  }

  private stopEntry(entry: Tracked): void {
    entry.stopped = true;
    if (entry.renewTimer) clearTimeout(entry.renewTimer);
    if (entry.expiryTimer) clearTimeout(entry.expiryTimer);
    entry.renewTimer = undefined;
    entry.expiryTimer = undefined;
  }

  private scheduleRenewal(entry: Tracked, delayMillis: number): void {
    if (entry.stopped) return;
    if (entry.renewTimer) clearTimeout(entry.renewTimer);
    entry.renewTimer = setTimeout(() => {
      entry.renewTimer = undefined;
      void this.renew(entry);
    }, delayMillis);
  }

  private armExpiry(entry: Tracked): void {
    if (entry.stopped) return;
    if (entry.expiryTimer) clearTimeout(entry.expiryTimer);
    // +1 ms so that isValid() is already false when the timer fires.
    entry.expiryTimer = setTimeout(() => {
      entry.expiryTimer = undefined;
      this.checkExpiry(entry);
    }, entry.handle.millisUntilInvalid() + 1);
  }

  private checkExpiry(entry: Tracked): void {
    if (entry.stopped) return;
    const { handle } = entry;
    if (handle.isValid()) {
      this.armExpiry(entry);
      return;
    }
    this.options.logger.warn('lease not renewed within its validity window: giving the shard up', {
      shardId: handle.shardId,
      validityMillis: this.options.timing.validityMillis,
    });
    this.lose(entry, 'expired', undefined);
  }

  private lose(entry: Tracked, reason: LeaseLostReason, cause: unknown): void {
    this.stopEntry(entry);
    if (this.tracked.get(entry.handle.shardId) === entry) this.tracked.delete(entry.handle.shardId);
    if (entry.handle.markLost(reason, cause)) this.options.onLost(entry.handle, reason, cause);
  }

  private renew(entry: Tracked): Promise<void> {
    if (entry.stopped || entry.inFlight) return entry.inFlight ?? Promise.resolve();
    const run = this.renewOnce(entry)
      .catch((error: unknown) => {
        // renewOnce handles store errors itself; this only guards against a throwing logger or sink.
        this.options.logger.error('lease renewal step failed unexpectedly', { shardId: entry.handle.shardId, error });
      })
      .finally(() => {
        entry.inFlight = undefined;
      });
    entry.inFlight = run;
    return run;
  }

  private async renewOnce(entry: Tracked): Promise<void> {
    const { checkpointer, workerId, clock, monitoring, logger, timing } = this.options;
    const { handle } = entry;
    const copy = renewalCopy(handle.shard);
    const startedAt = clock();
    try {
      await checkpointer.getLease(copy, workerId);
    } catch (error) {
      if (entry.stopped) return;
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
      safeCall(() => this.options.onError(error, handle.shardId));
      this.scheduleRenewal(entry, timing.renewRetryMillis);
      return;
    }
    if (entry.stopped) return;
    const wasHandoff = handle.handoffRequested;
    handle.applyRenewal(copy, startedAt, workerId);
    if (!wasHandoff && handle.handoffRequested) {
      logger.info('another worker claimed this lease: handing it over after the current batch', {
        shardId: handle.shardId,
        claimRequest: copy.claimRequest,
      });
    }
    safeCall(() => monitoring.leaseRenewed(handle.shardId));
    this.armExpiry(entry);
    this.scheduleRenewal(entry, timing.renewIntervalMillis);
  }
}

function safeCall(fn: () => void): void {
  try {
    fn();
  } catch {
    // Monitoring and error sinks must never break lease renewal.
  }
}

/**
 * Health of the lease store as this worker sees it, from the outcome of the calls it makes anyway (no extra reads):
 * the store is healthy while its last call did not fail for a store reason. A conditional write that was refused
 * (lease lost, not acquired, claimed, ...) is an answer, not a failure; a connectivity, auth or unexpected error is
 * ({@link isLeaseStoreFailure} decides, as for the MonitoringService's lease-store metrics).
 * @internal
 */
import { isKclError, type KclErrorCode } from '../errors';
import { isLeaseStoreFailure } from './lease-store-failure';

/** The last failure of a lease-store call (kept after the store recovers). */
export interface LeaseStoreLastError {
  /** The error's {@link KclErrorCode} (`LEASE_STORE_UNAVAILABLE`, `LEASE_STORE_AUTH`, ...), or `UNKNOWN` for an error that is not a KclError. */
  code: KclErrorCode | 'UNKNOWN';
  /** The error's message. */
  message: string;
  /** The lease-store method that failed (e.g. `renewLeases`, `checkpointSequence`). */
  operation: string;
  /** Wall-clock time of the failure. */
  at: Date;
}

/** Lease-store health in {@link WorkerStatus}. */
export interface LeaseStoreHealth {
  /** False while the last lease-store call failed for a store reason (it turns true at the next call that succeeds). */
  healthy: boolean;
  /** The last store failure seen, if any (also after the store recovered). */
  lastError: LeaseStoreLastError | undefined;
  /** Wall-clock time of the last call that got an answer from the store; undefined before the first. */
  lastSuccessAt: Date | undefined;
}

/** Collects the outcome of every lease-store call (fed by the tracked checkpointer). */
export class LeaseStoreHealthTracker {
  private healthy = true;
  private lastError: LeaseStoreLastError | undefined;
  private lastSuccessAt: Date | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** A call of `operation` settled: `error` is what it threw (undefined on success). */
  settled(operation: string, failed: boolean, error?: unknown): void {
    if (!failed || !isLeaseStoreFailure(error)) {
      this.healthy = true;
      this.lastSuccessAt = new Date(this.now());
      return;
    }
    this.healthy = false;
    this.lastError = {
      code: isKclError(error) ? error.code : 'UNKNOWN',
      message: error instanceof Error ? error.message : String(error),
      operation,
      at: new Date(this.now()),
    };
  }

  /** Whether the last call got an answer from the store. */
  get isHealthy(): boolean {
    return this.healthy;
  }

  snapshot(): LeaseStoreHealth {
    return { healthy: this.healthy, lastError: this.lastError, lastSuccessAt: this.lastSuccessAt };
  }
}

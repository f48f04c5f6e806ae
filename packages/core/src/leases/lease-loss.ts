import { callSafely } from '../internal/safe-call';

/** Told once, with the reason, when a lease is lost. */
export type LeaseLossListener = (reason: Error) => void;

/**
 * The "lease lost" notice of one held lease: a flag, plain listeners, and an AbortSignal made only when something
 * asks for it (a checkpoint's retry waits, a custom consumer).
 *
 * A worker keeps one per lease it holds. A Node AbortSignal costs about a kilobyte (an EventTarget with two maps and
 * a hidden class of its own), and the shard consumer needs only the flag and one listener; with 1,000 leases that
 * signal was a tenth of the worker's per-lease memory.
 * @internal
 */
export class LeaseLoss {
  private error: Error | undefined;
  private controller: AbortController | undefined;
  private listeners: LeaseLossListener[] | undefined;

  /** True once the lease is lost. */
  get lost(): boolean {
    return this.error !== undefined;
  }

  /** Why, once lost. */
  get reason(): Error | undefined {
    return this.error;
  }

  /** Aborted (with {@link reason}) when the lease is lost; made on first read, already aborted if it is lost. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.error !== undefined) this.controller.abort(this.error);
    }
    return this.controller.signal;
  }

  /** Calls `listener` once when the lease is lost: at once if it already is. */
  on(listener: LeaseLossListener): void {
    if (this.error !== undefined) {
      listener(this.error);
      return;
    }
    (this.listeners ??= []).push(listener);
  }

  /** Removes a listener added with {@link on} (no-op if absent or already called). */
  off(listener: LeaseLossListener): void {
    const listeners = this.listeners;
    if (listeners === undefined) return;
    const at = listeners.indexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  }

  /** Records the loss (the first one wins): aborts the signal if it was made, then tells the listeners. */
  declare(error: Error): boolean {
    if (this.error !== undefined) return false;
    this.error = error;
    this.controller?.abort(error);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) callSafely(() => listener(error));
    return true;
  }
}

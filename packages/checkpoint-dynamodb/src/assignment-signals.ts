/**
 * Assignment signals: after a lease write that gave a lease to another worker (the leader's take for it, an owner's
 * transfer to it) succeeded, the store adds 1 to that worker's `AssignmentEpoch` (its registry item), so the worker
 * learns "something was assigned to you" from its heartbeat or one small read, and queries the owner index only then
 * (see owned-lease-cache.ts).
 *
 * Signals to one worker are coalesced: a signal asked for while another one to the same worker is being sent waits for
 * it and is then sent once for every caller that asked meanwhile. Each caller's signal is still sent after its own
 * lease write (that is what the worker relies on), but a leader round that assigns 250 leases to one worker sends a
 * handful of signals, not 250.
 *
 * A signal that fails is logged (debug) and dropped: the lease write stands. The worker then finds the lease at its
 * next periodic read of the owner index (option `ownedLeasesRefreshMillis`), or the leader assigns it again once it
 * sees it unrenewed for a failover time.
 */
import type { Logger } from '@kcl/core';
import { assignmentSignalWrite } from './coordination-writes';
import { errorName } from './dynamo-errors';
import type { TableAccess } from './table-access';

export class AssignmentSignals {
  /** Per worker: the signal not sent yet, which new callers join. */
  private readonly waiting = new Map<string, Promise<void>>();
  /** Per worker: the signal being sent. */
  private readonly sending = new Map<string, Promise<void>>();

  constructor(
    private readonly access: TableAccess,
    private readonly logger: Logger,
  ) {}

  /** Signals `workerId` that a lease was assigned to it; resolves once a signal sent after this call was answered. Never rejects. */
  signal(workerId: string): Promise<void> {
    const queued = this.waiting.get(workerId);
    if (queued !== undefined) return queued;
    const before = this.sending.get(workerId) ?? Promise.resolve();
    const next = before.then(() => {
      this.waiting.delete(workerId);
      const sent = this.send(workerId);
      this.sending.set(workerId, sent);
      return sent.finally(() => {
        if (this.sending.get(workerId) === sent) this.sending.delete(workerId);
      });
    });
    this.waiting.set(workerId, next);
    return next;
  }

  private async send(workerId: string): Promise<void> {
    try {
      await this.access.update(`signal assignment to ${workerId}`, assignmentSignalWrite(this.access.tableName, workerId));
    } catch (error) {
      // ConditionalCheckFailed: the worker has no registry item (it left or was removed); nothing to tell it.
      const cause = (error as { cause?: unknown }).cause;
      this.logger.debug('Assignment signal not written', { workerId, error: errorName(cause ?? error) });
    }
  }
}

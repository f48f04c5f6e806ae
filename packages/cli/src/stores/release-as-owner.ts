import { isKclError, type Checkpointer, type ShardStatus } from '@kcl/core';
import { LeaseChangedError } from '../errors';

/**
 * Releases `lease` with the backend's own `removeLeaseOwner`, on a checkpointer opened as the lease's owner (the
 * contract releases only the caller's own lease), with the token read: conditional on both, so a lease that moved on
 * since the read is left alone (LeaseChangedError). The checkpointer is closed again (its client is the CLI's).
 */
export async function releaseAsOwner(open: (workerId: string | undefined) => Promise<Checkpointer>, lease: ShardStatus): Promise<void> {
  const asOwner = await open(lease.assignedTo);
  try {
    await asOwner.removeLeaseOwner(lease.id, lease.leaseToken ?? '');
  } catch (error) {
    if (isKclError(error) && error.code === 'LEASE_LOST') throw new LeaseChangedError(lease.id, { cause: error });
    throw error;
  } finally {
    await asOwner.close();
  }
}

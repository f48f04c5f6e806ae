/**
 * go-kcl's `getLease`, derived once from the two lease transitions of the SPI ({@link Checkpointer.takeLease} and
 * {@link Checkpointer.renewLease}), so no backend tells them apart itself.
 */
import type { Checkpointer } from './checkpointer';
import type { ShardStatus } from './shard-status';

/**
 * Whether go-kcl's `getLease(shard, newAssignTo)` means a renewal: `shard` is already assigned to `newAssignTo` and
 * carries the token of that tenure. Anything else is a take at the observed `shard.leaseCounter`.
 */
export function isLeaseRenewal(shard: Pick<ShardStatus, 'assignedTo' | 'leaseToken'>, newAssignTo: string): boolean {
  return shard.assignedTo === newAssignTo && shard.leaseToken !== undefined;
}

/**
 * go-kcl's `getLease`: renews the lease of `shard` when {@link isLeaseRenewal} says so (fenced by owner and token;
 * LeaseLostError if the tenure is over), otherwise takes it at the observed counter (LeaseNotAcquiredError if another
 * worker moved it). `shard` is updated in place with the stored state on success.
 */
export function takeOrRenewLease(
  checkpointer: Pick<Checkpointer, 'takeLease' | 'renewLease'>,
  shard: ShardStatus,
  newAssignTo: string,
): Promise<void> {
  return isLeaseRenewal(shard, newAssignTo) ? checkpointer.renewLease(shard, newAssignTo) : checkpointer.takeLease(shard, newAssignTo);
}

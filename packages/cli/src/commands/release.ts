/**
 * `kcl release --shard X`: frees the lease (owner and token removed, counter incremented, checkpoint kept) through the
 * backend's own `removeLeaseOwner`, acting for the owner with the token read, so another worker takes it at once.
 * Refused while a live worker holds it (owner-check.ts) unless `--force`. An unowned lease: nothing to do.
 */
import type { CliOptions } from '../args';
import type { CliIo } from '../output';
import type { LeaseStoreAccess } from '../stores/lease-store';
import { checkOwner } from './owner-check';

export async function releaseCommand(store: LeaseStoreAccess, options: CliOptions, io: CliIo): Promise<void> {
  const shardId = options.shard as string;
  const lease = await checkOwner(store, options, shardId, io);
  const owner = lease.assignedTo;
  if (owner !== undefined) await store.release(lease);
  if (options.json) io.out(JSON.stringify({ shardId, releasedOwner: owner ?? null }));
  else io.out(owner === undefined ? `${shardId} is not owned: nothing to release` : `released ${shardId} from ${owner}`);
}

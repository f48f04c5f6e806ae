/**
 * `kcl reset --shard X --to TRIM_HORIZON|LATEST|<sequence number>`: moves the shard's checkpoint (also backwards: to
 * re-process records) and frees the lease, in one conditional write fenced by the lease counter (lease-store.ts).
 * The next worker to take the lease starts from the new position. Refused while a live worker holds the lease
 * (owner-check.ts) unless `--force`, and always for a shard at SHARD_END.
 */
import { SHARD_END } from '@kcl/core';
import type { CliOptions } from '../args';
import { LeaseChangedError, ShardEndedError } from '../errors';
import type { CliIo } from '../output';
import type { LeaseStoreAccess } from '../stores/lease-store';
import { checkOwner, readLease } from './owner-check';

/** With `--force` and a live owner its renewals move the counter: the write is tried again on a fresh read. */
const FORCED_ATTEMPTS = 5;

export async function resetCommand(store: LeaseStoreAccess, options: CliOptions, io: CliIo): Promise<void> {
  const shardId = options.shard as string;
  const to = options.to ?? 'TRIM_HORIZON';
  const checkpoint = typeof to === 'string' ? to : to.sequenceNumber;
  let lease = await checkOwner(store, options, shardId, io);
  const before = { checkpoint: lease.checkpoint, owner: lease.assignedTo };
  for (let attempt = 1; ; attempt++) {
    if (lease.checkpoint === SHARD_END) throw new ShardEndedError(shardId);
    try {
      await store.reset(lease, checkpoint);
      break;
    } catch (error) {
      if (!(error instanceof LeaseChangedError) || !options.force || attempt >= FORCED_ATTEMPTS) throw error;
      lease = await readLease(store, shardId);
    }
  }
  const result = { shardId, checkpoint, previousCheckpoint: before.checkpoint ?? null, releasedOwner: before.owner ?? null };
  if (options.json) io.out(JSON.stringify(result));
  else {
    const released = before.owner ? `; lease released from ${before.owner}` : '';
    io.out(`reset ${shardId}: checkpoint ${before.checkpoint ?? '(none)'} -> ${checkpoint}${released}`);
  }
}

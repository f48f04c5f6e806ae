/**
 * A LeaseHandle for consumer tests, backed by a real lease in an InMemoryCheckpointer: the test controls validity,
 * loss and hand-off directly (no renewer).
 */
import { takeOrRenewLease } from '../../src/checkpoint/lease-transitions';
import { createShardStatus } from '../../src/checkpoint/shard-status';
import type { ShardStatus } from '../../src/checkpoint/shard-status';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../../src/testing';
import type { LeaseHandle } from '../../src/leases/lease-handle';
import { LeaseLoss, type LeaseLossListener } from '../../src/leases/lease-loss';

export class TestLease implements LeaseHandle {
  readonly shardId: string;
  readonly shard: ShardStatus;
  /** What isValid() returns (while the lease is not lost). Set false to simulate an overdue renewal. */
  valid = true;
  handoffRequested = false;
  private readonly loss = new LeaseLoss();

  constructor(shard: ShardStatus) {
    this.shardId = shard.id;
    this.shard = shard;
  }

  get lostSignal(): AbortSignal {
    return this.loss.signal;
  }

  get lost(): boolean {
    return this.loss.lost;
  }

  onLost(listener: LeaseLossListener): void {
    this.loss.on(listener);
  }

  offLost(listener: LeaseLossListener): void {
    this.loss.off(listener);
  }

  isValid(): boolean {
    return this.valid && !this.loss.lost;
  }

  /** Marks the lease lost, as the renewer does when a renewal fails with LeaseLost. */
  lose(): void {
    this.valid = false;
    this.loss.declare(new Error(`lease of ${this.shardId} lost (test)`));
  }
}

export interface LeaseFixture {
  table: InMemoryLeaseTable;
  store: InMemoryCheckpointer;
  lease: TestLease;
}

/**
 * Takes the lease of `shardId` for `workerId` in a fresh (or the given) in-memory table. `checkpoint` /
 * `subSequenceNumber` are written as the stored checkpoint; other `init` fields (parents, hash key range) are kept on
 * the lease.
 */
export async function takeTestLease(
  shardId: string,
  options: {
    workerId?: string;
    table?: InMemoryLeaseTable;
    init?: Partial<Omit<ShardStatus, 'id'>>;
  } = {},
): Promise<LeaseFixture> {
  const workerId = options.workerId ?? 'worker-1';
  const table = options.table ?? new InMemoryLeaseTable();
  const store = new InMemoryCheckpointer(table, { workerId });
  const { checkpoint, subSequenceNumber, ...rest } = options.init ?? {};
  const shard = createShardStatus(shardId, rest);
  await takeOrRenewLease(store, shard, workerId);
  if (rest.hashKeyRange !== undefined) shard.hashKeyRange = rest.hashKeyRange;
  if (checkpoint !== undefined) {
    shard.checkpoint = checkpoint;
    shard.subSequenceNumber = subSequenceNumber;
    await store.checkpointSequence(shard);
  }
  return { table, store, lease: new TestLease(shard) };
}

/** Another worker takes the lease in the store (as after an expiry): the old owner's writes now fail. */
export async function stealLease(table: InMemoryLeaseTable, shardId: string, thief = 'worker-thief'): Promise<ShardStatus> {
  const store = new InMemoryCheckpointer(table, { workerId: thief });
  const stolen = (await store.listLeases()).find((l) => l.id === shardId);
  if (!stolen) throw new Error(`no lease ${shardId} to steal`);
  await takeOrRenewLease(store, stolen, thief);
  return stolen;
}

/** The stored lease of `shardId`. */
export async function storedLease(table: InMemoryLeaseTable, shardId: string): Promise<ShardStatus | undefined> {
  const store = new InMemoryCheckpointer(table, { workerId: 'reader' });
  return (await store.listLeases()).find((l) => l.id === shardId);
}

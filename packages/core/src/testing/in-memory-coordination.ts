/**
 * The coordination transitions of the in-memory store (worker registry, coordinator lease, owner index, hand-off and
 * batch renewal), as synchronous functions over the table's state. {@link InMemoryCheckpointer} runs each inside one
 * `InMemoryLeaseTable.run`, so each is atomic like a conditional write.
 */
import { randomUUID } from 'node:crypto';
import { COORDINATOR_LEASE_ID, type CoordinatorLease, type OwnedLease } from '../checkpoint/coordination';
import { SHARD_END, type ShardStatus } from '../checkpoint/shard-status';
import { InvalidArgumentError, LeaseLostError, LeaseNotAcquiredError } from '../errors';
import type { InMemoryCoordinationState } from './in-memory-lease-table';
import { copyStoredLease } from './in-memory-lease-table';

/** Throws InvalidArgumentError unless `value` is a non-empty string. */
export function assertNonEmpty(value: unknown, what: string, method: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(`${method} needs a non-empty ${what}, got ${JSON.stringify(value)}`);
  }
}

/** Renews `shard` for `workerId` (owner and token must match): counter + 1, token and claim kept. */
export function renewStoredLease(leases: Map<string, ShardStatus>, shard: ShardStatus, workerId: string, leaseTimeout: Date): ShardStatus {
  const current = leases.get(shard.id);
  if (!current || current.assignedTo !== workerId || current.leaseToken !== shard.leaseToken) {
    throw new LeaseLostError(shard.id);
  }
  current.leaseCounter += 1;
  current.leaseTimeout = leaseTimeout;
  return copyStoredLease(current);
}

export function heartbeat(state: InMemoryCoordinationState, workerId: string): void {
  state.workers.set(workerId, (state.workers.get(workerId) ?? 0) + 1);
}

export function takeCoordinator(state: InMemoryCoordinationState, workerId: string, observedCounter: number): CoordinatorLease {
  const current = state.coordinator;
  const stored = current?.leaseCounter ?? 0;
  if (stored !== observedCounter) {
    throw new LeaseNotAcquiredError(
      COORDINATOR_LEASE_ID,
      `Coordinator lease was not acquired by ${workerId}: its counter is ${current ? stored : 'absent'}, caller observed ${observedCounter}`,
    );
  }
  state.coordinator = { assignedTo: workerId, leaseCounter: stored + 1, leaseToken: randomUUID() };
  return { ...state.coordinator };
}

function assertCoordinatorHeld(state: InMemoryCoordinationState, workerId: string, leaseToken: string, action: string): CoordinatorLease {
  const current = state.coordinator;
  if (!current || current.assignedTo !== workerId || current.leaseToken !== leaseToken) {
    const holder =
      current?.assignedTo === undefined
        ? 'nobody holds it'
        : current.assignedTo === workerId
          ? 'it was re-taken since (another lease token)'
          : `it is held by ${current.assignedTo}`;
    throw new LeaseLostError(COORDINATOR_LEASE_ID, `Coordinator lease cannot be ${action} by ${workerId}: ${holder}`);
  }
  return current;
}

export function renewCoordinator(state: InMemoryCoordinationState, workerId: string, leaseToken: string): CoordinatorLease {
  const current = assertCoordinatorHeld(state, workerId, leaseToken, 'renewed');
  current.leaseCounter += 1;
  return { ...current };
}

export function releaseCoordinator(state: InMemoryCoordinationState, workerId: string, leaseToken: string): boolean {
  if (state.coordinator?.assignedTo === undefined) return false;
  const current = assertCoordinatorHeld(state, workerId, leaseToken, 'released');
  current.assignedTo = undefined;
  current.leaseToken = undefined;
  current.leaseCounter += 1;
  return true;
}

export function ownedLeases(leases: Map<string, ShardStatus>, workerId: string): OwnedLease[] {
  const owned: OwnedLease[] = [];
  for (const lease of leases.values()) {
    if (lease.assignedTo === workerId) owned.push({ shardId: lease.id, leaseCounter: lease.leaseCounter });
  }
  return owned;
}

export function transferStoredLease(
  leases: Map<string, ShardStatus>,
  shardId: string,
  leaseToken: string,
  fromWorker: string,
  toWorker: string,
  leaseTimeout: Date,
): ShardStatus {
  const current = leases.get(shardId);
  if (!current) throw new LeaseLostError(shardId, `Lease for shard ${shardId} cannot be transferred by ${fromWorker}: it does not exist`);
  if (current.assignedTo !== fromWorker) {
    throw new LeaseLostError(
      shardId,
      `Lease for shard ${shardId} cannot be transferred by ${fromWorker}: it is ${current.assignedTo === undefined ? 'unowned' : `held by ${current.assignedTo}`}`,
    );
  }
  if (current.leaseToken !== leaseToken) {
    throw new LeaseLostError(
      shardId,
      `Lease for shard ${shardId} cannot be transferred by ${fromWorker}: it was re-taken since (another lease token)`,
    );
  }
  if (current.checkpoint === SHARD_END) {
    throw new LeaseNotAcquiredError(shardId, `Lease for shard ${shardId} was not transferred to ${toWorker}: the shard is at SHARD_END`);
  }
  current.assignedTo = toWorker;
  current.leaseToken = randomUUID();
  current.leaseCounter += 1;
  current.leaseTimeout = leaseTimeout;
  current.claimRequest = undefined;
  return copyStoredLease(current);
}

import { randomUUID } from 'node:crypto';
import type { Checkpointer } from '../checkpoint/checkpointer';
import type { CoordinatorLease, OwnedLease, WorkerHeartbeat } from '../checkpoint/coordination';
import { SHARD_END, type ShardStatus } from '../checkpoint/shard-status';
import { assertStorableCheckpoint, judgeCheckpointMove } from '../checkpoint/checkpoint-order';
import {
  CheckpointOrderError,
  ConfigError,
  InvalidArgumentError,
  LeaseLostError,
  LeaseNotAcquiredError,
  LeaseNotFinishedError,
  LeaseStoreError,
  NoLeaseOwnerError,
  SequenceNotFoundError,
  ShardClaimedError,
} from '../errors';
import type { Logger } from '../logger/logger';
import {
  assertNonEmpty,
  heartbeat,
  ownedLeases,
  releaseCoordinator,
  renewCoordinator,
  renewStoredLease,
  takeCoordinator,
  transferStoredLease,
} from './in-memory-coordination';
import { applyStoredLease, copyStoredLease, groupActiveWorkers } from '../checkpoint/lease-row';
import { InMemoryLeaseTable } from './in-memory-lease-table';

/**
 * Options of {@link InMemoryCheckpointer}. A `KinesisClientLibConfig` has these fields too, so it can be passed as is.
 */
export interface InMemoryCheckpointerOptions {
  /** Id of the worker this checkpointer acts for (used by `removeLeaseOwner`). Required, non-empty. */
  workerId: string;
  /**
   * Used only for the informational `leaseTimeout` written with each take/renew (now + failoverTimeMillis). Expiry is
   * never decided from it.
   * @defaultValue 10000
   */
  failoverTimeMillis?: number | undefined;
  /**
   * Receives a debug line per lease transition.
   * @defaultValue no logging
   */
  logger?: Logger | undefined;
}

/**
 * A faithful in-process reference implementation of the {@link Checkpointer} contract, for tests of the worker and
 * lease engine and as the baseline of the conformance suite. Leases live in an {@link InMemoryLeaseTable}; give the
 * same table to several checkpointers to simulate several workers of one application.
 *
 * ```ts
 * const table = new InMemoryLeaseTable();
 * const a = new InMemoryCheckpointer(table, { workerId: 'worker-a' });
 * const b = new InMemoryCheckpointer(table, config); // a KinesisClientLibConfig works too
 * table.failNext('takeLease', new LeaseStoreUnavailableError('boom'));
 * ```
 *
 * Semantics (identical to what DynamoDB and Redis backends must do):
 * - take: the lease is absent and the caller's `leaseCounter` is 0, or the stored counter equals the caller's;
 *   never a lease at SHARD_END. Sets owner, a new random token, counter + 1, clears the claim; creates the lease with
 *   the caller's parent ids if absent. Otherwise {@link LeaseNotAcquiredError}.
 * - renew (`renewLease(shard, workerId)`, fenced by `shard.leaseToken`): the stored owner and token must match,
 *   counter + 1, token and claim kept. Otherwise {@link LeaseLostError}.
 * - checkpoint: conditional on owner and token (else {@link LeaseLostError}), counter unchanged; never backwards and
 *   never away from SHARD_END (else {@link CheckpointOrderError}); the stored checkpoint again is a no-op success.
 * - release (`removeLeaseOwner(shardId, leaseToken)`): only by the owner with the token of its tenure (else
 *   {@link LeaseLostError}); a no-op on an unowned or absent lease. Removes owner and token, counter + 1, keeps
 *   checkpoint and claim.
 * - delete (`removeLeaseInfo`): only a lease at SHARD_END (else {@link LeaseNotFinishedError}); absent is fine.
 * - claim: stored owner must be `shard.assignedTo` (else {@link LeaseNotAcquiredError}), no pending claim and not at
 *   SHARD_END (else {@link ShardClaimedError}); counter and owner unchanged.
 * - coordination: a worker registry (heartbeat counters), a coordinator lease (take at the observed counter, renew
 *   and release fenced by owner and token), `listOwnedLeases` (always current here, so never lagging),
 *   `transferLease` (fenced by owner and token, never at SHARD_END) and `renewLeases` (one renewal per entry).
 */
export class InMemoryCheckpointer implements Checkpointer {
  /** The shared table this checkpointer reads and writes. */
  readonly table: InMemoryLeaseTable;
  private readonly workerId: string;
  private readonly failoverTimeMillis: number;
  private readonly logger: Logger | undefined;
  private closed = false;

  constructor(table: InMemoryLeaseTable, options: InMemoryCheckpointerOptions) {
    if (!(table instanceof InMemoryLeaseTable)) {
      throw new InvalidArgumentError('InMemoryCheckpointer needs an InMemoryLeaseTable as its first argument');
    }
    if (typeof options.workerId !== 'string' || options.workerId.length === 0) {
      throw new ConfigError('workerId', options.workerId, 'a non-empty string');
    }
    const failover = options.failoverTimeMillis ?? 10_000;
    if (!Number.isFinite(failover) || failover <= 0) {
      throw new ConfigError('failoverTimeMillis', failover, 'a finite number of milliseconds > 0');
    }
    this.table = table;
    this.workerId = options.workerId;
    this.failoverTimeMillis = failover;
    this.logger = options.logger;
  }

  async init(): Promise<void> {
    this.assertOpen();
    await this.table.run('init', () => undefined);
  }

  async takeLease(shard: ShardStatus, newAssignTo: string): Promise<void> {
    this.assertOpen();
    assertNonEmpty(newAssignTo, 'worker id', 'takeLease');
    if (!Number.isInteger(shard.leaseCounter) || shard.leaseCounter < 0) {
      throw new InvalidArgumentError(`takeLease(${shard.id}) needs a non-negative integer leaseCounter, got ${String(shard.leaseCounter)}`);
    }
    const stored = await this.table.run('takeLease', (leases) => {
      const current = leases.get(shard.id);
      const leaseTimeout = new Date(Date.now() + this.failoverTimeMillis);
      if (!current) {
        if (shard.leaseCounter !== 0) {
          throw new LeaseNotAcquiredError(
            shard.id,
            `Lease for shard ${shard.id} was not acquired: it was deleted after counter ${shard.leaseCounter} was observed`,
          );
        }
        const created: ShardStatus = {
          id: shard.id,
          parentShardId: shard.parentShardId ?? shard.parentShardIds[0],
          parentShardIds: [...shard.parentShardIds],
          assignedTo: newAssignTo,
          leaseCounter: 1,
          leaseToken: randomUUID(),
          leaseTimeout,
        };
        leases.set(shard.id, created);
        return copyStoredLease(created);
      }
      if (current.checkpoint === SHARD_END) {
        throw new LeaseNotAcquiredError(shard.id, `Lease for shard ${shard.id} was not acquired: the shard is at SHARD_END`);
      }
      if (current.leaseCounter !== shard.leaseCounter) {
        throw new LeaseNotAcquiredError(
          shard.id,
          `Lease for shard ${shard.id} was not acquired: counter is ${current.leaseCounter}, caller observed ${shard.leaseCounter}`,
        );
      }
      current.assignedTo = newAssignTo;
      current.leaseToken = randomUUID();
      current.leaseCounter += 1;
      current.leaseTimeout = leaseTimeout;
      current.claimRequest = undefined;
      return copyStoredLease(current);
    });
    applyStoredLease(shard, stored);
    this.logger?.debug('lease taken', { shardId: shard.id, workerId: newAssignTo, leaseCounter: stored.leaseCounter });
  }

  async renewLease(shard: ShardStatus, workerId: string): Promise<void> {
    this.assertOpen();
    assertNonEmpty(workerId, 'worker id', 'renewLease');
    assertNonEmpty(shard.leaseToken, 'lease token', `renewLease(${shard.id})`);
    const stored = await this.table.run('renewLease', (leases) =>
      renewStoredLease(leases, shard, workerId, new Date(Date.now() + this.failoverTimeMillis)),
    );
    applyStoredLease(shard, stored);
    this.logger?.debug('lease renewed', { shardId: shard.id, workerId, leaseCounter: stored.leaseCounter });
  }

  async checkpointSequence(shard: ShardStatus): Promise<void> {
    this.assertOpen();
    const checkpoint = shard.checkpoint;
    const subSequenceNumber = shard.subSequenceNumber;
    assertStorableCheckpoint(shard.id, checkpoint, subSequenceNumber);
    await this.table.run('checkpointSequence', (leases) => {
      const current = leases.get(shard.id);
      if (!current || current.assignedTo === undefined || current.assignedTo !== shard.assignedTo || current.leaseToken !== shard.leaseToken) {
        throw new LeaseLostError(shard.id);
      }
      const stored = current.checkpoint === undefined ? undefined : { checkpoint: current.checkpoint, subSequenceNumber: current.subSequenceNumber };
      const move = judgeCheckpointMove(stored, { checkpoint, subSequenceNumber });
      if (move === 'backwards') throw new CheckpointOrderError(shard.id, stored!, { checkpoint, subSequenceNumber });
      current.checkpoint = checkpoint;
      current.subSequenceNumber = subSequenceNumber;
    });
    this.logger?.debug('checkpoint written', { shardId: shard.id, checkpoint: shard.checkpoint });
  }

  async fetchCheckpoint(shard: ShardStatus): Promise<void> {
    this.assertOpen();
    const stored = await this.table.run('fetchCheckpoint', (leases) => {
      const current = leases.get(shard.id);
      return current ? copyStoredLease(current) : undefined;
    });
    if (!stored) throw new SequenceNotFoundError(shard.id);
    applyStoredLease(shard, stored);
    if (stored.checkpoint === undefined) throw new SequenceNotFoundError(shard.id);
  }

  async removeLeaseInfo(shardId: string): Promise<void> {
    this.assertOpen();
    await this.table.run('removeLeaseInfo', (leases) => {
      const current = leases.get(shardId);
      if (current && current.checkpoint !== SHARD_END) throw new LeaseNotFinishedError(shardId, current.checkpoint);
      leases.delete(shardId);
    });
  }

  async removeLeaseOwner(shardId: string, leaseToken: string): Promise<void> {
    this.assertOpen();
    if (typeof leaseToken !== 'string' || leaseToken.length === 0) {
      throw new InvalidArgumentError(
        `removeLeaseOwner(${shardId}) needs the lease token of the tenure to release, got ${JSON.stringify(leaseToken)}`,
      );
    }
    const released = await this.table.run('removeLeaseOwner', (leases) => {
      const current = leases.get(shardId);
      if (!current || current.assignedTo === undefined) return false;
      if (current.assignedTo !== this.workerId) {
        throw new LeaseLostError(shardId, `Lease for shard ${shardId} cannot be released by ${this.workerId}: it is held by ${current.assignedTo}`);
      }
      if (current.leaseToken !== leaseToken) {
        throw new LeaseLostError(
          shardId,
          `Lease for shard ${shardId} cannot be released by ${this.workerId}: it was re-taken since (another lease token); not released`,
        );
      }
      current.assignedTo = undefined;
      current.leaseToken = undefined;
      current.leaseTimeout = undefined;
      current.leaseCounter += 1;
      return true;
    });
    if (released) this.logger?.debug('lease released', { shardId, workerId: this.workerId });
  }

  async getLeaseOwner(shardId: string): Promise<string> {
    this.assertOpen();
    const owner = await this.table.run('getLeaseOwner', (leases) => leases.get(shardId)?.assignedTo);
    if (owner === undefined) throw new NoLeaseOwnerError(shardId);
    return owner;
  }

  async listActiveWorkers(shardStatus: Map<string, ShardStatus>): Promise<Map<string, ShardStatus[]>> {
    this.assertOpen();
    const all = await this.table.run('listActiveWorkers', (leases) => [...leases.values()].map(copyStoredLease));
    return groupActiveWorkers(all, shardStatus);
  }

  async claimShard(shard: ShardStatus, claimId: string): Promise<void> {
    this.assertOpen();
    if (typeof claimId !== 'string' || claimId.length === 0) {
      throw new InvalidArgumentError(`claimShard needs a non-empty claimer id, got ${JSON.stringify(claimId)}`);
    }
    await this.table.run('claimShard', (leases) => {
      const current = leases.get(shard.id);
      if (current?.checkpoint === SHARD_END) {
        throw new ShardClaimedError(shard.id, `Shard ${shard.id} is at SHARD_END and cannot be claimed`);
      }
      if (current?.claimRequest !== undefined) {
        throw new ShardClaimedError(shard.id, `Shard ${shard.id} already has a pending claim by ${current.claimRequest}`);
      }
      if (!current || current.assignedTo === undefined || current.assignedTo !== shard.assignedTo) {
        throw new LeaseNotAcquiredError(shard.id, `Shard ${shard.id} cannot be claimed: its owner changed`);
      }
      current.claimRequest = claimId;
    });
    shard.claimRequest = claimId;
    this.logger?.debug('shard claimed', { shardId: shard.id, claimRequest: claimId });
  }

  async listLeases(): Promise<ShardStatus[]> {
    this.assertOpen();
    return this.table.run('listLeases', (leases) => [...leases.values()].map(copyStoredLease));
  }

  async heartbeat(workerId: string): Promise<void> {
    this.assertOpen();
    assertNonEmpty(workerId, 'worker id', 'heartbeat');
    await this.table.run('heartbeat', (_leases, state) => heartbeat(state, workerId));
  }

  async removeWorker(workerId: string): Promise<void> {
    this.assertOpen();
    assertNonEmpty(workerId, 'worker id', 'removeWorker');
    await this.table.run('removeWorker', (_leases, state) => state.workers.delete(workerId));
  }

  async listWorkers(): Promise<WorkerHeartbeat[]> {
    this.assertOpen();
    return this.table.run('listWorkers', (_leases, state) => [...state.workers.entries()].map(([workerId, counter]) => ({ workerId, counter })));
  }

  async getCoordinatorLease(): Promise<CoordinatorLease | undefined> {
    this.assertOpen();
    return this.table.run('getCoordinatorLease', (_leases, state) => (state.coordinator ? { ...state.coordinator } : undefined));
  }

  async takeCoordinatorLease(workerId: string, observedCounter: number): Promise<CoordinatorLease> {
    this.assertOpen();
    assertNonEmpty(workerId, 'worker id', 'takeCoordinatorLease');
    if (!Number.isSafeInteger(observedCounter) || observedCounter < 0) {
      throw new InvalidArgumentError(`takeCoordinatorLease needs the observed counter (an integer >= 0), got ${JSON.stringify(observedCounter)}`);
    }
    const lease = await this.table.run('takeCoordinatorLease', (_leases, state) => takeCoordinator(state, workerId, observedCounter));
    this.logger?.debug('coordinator lease taken', { workerId, leaseCounter: lease.leaseCounter });
    return lease;
  }

  async renewCoordinatorLease(workerId: string, leaseToken: string): Promise<CoordinatorLease> {
    this.assertOpen();
    assertNonEmpty(workerId, 'worker id', 'renewCoordinatorLease');
    assertNonEmpty(leaseToken, 'lease token', 'renewCoordinatorLease');
    return this.table.run('renewCoordinatorLease', (_leases, state) => renewCoordinator(state, workerId, leaseToken));
  }

  async releaseCoordinatorLease(workerId: string, leaseToken: string): Promise<void> {
    this.assertOpen();
    assertNonEmpty(workerId, 'worker id', 'releaseCoordinatorLease');
    assertNonEmpty(leaseToken, 'lease token', 'releaseCoordinatorLease');
    const released = await this.table.run('releaseCoordinatorLease', (_leases, state) => releaseCoordinator(state, workerId, leaseToken));
    if (released) this.logger?.debug('coordinator lease released', { workerId });
  }

  async listOwnedLeases(workerId: string): Promise<OwnedLease[]> {
    this.assertOpen();
    assertNonEmpty(workerId, 'worker id', 'listOwnedLeases');
    return this.table.run('listOwnedLeases', (leases) => ownedLeases(leases, workerId));
  }

  async transferLease(shardId: string, leaseToken: string, fromWorker: string, toWorker: string): Promise<ShardStatus> {
    this.assertOpen();
    assertNonEmpty(leaseToken, 'lease token', `transferLease(${shardId})`);
    assertNonEmpty(fromWorker, 'owner id (fromWorker)', `transferLease(${shardId})`);
    assertNonEmpty(toWorker, 'new owner id (toWorker)', `transferLease(${shardId})`);
    if (fromWorker === toWorker) {
      throw new InvalidArgumentError(`transferLease(${shardId}) needs two different workers, got ${JSON.stringify(fromWorker)} twice`);
    }
    const stored = await this.table.run('transferLease', (leases) =>
      transferStoredLease(leases, shardId, leaseToken, fromWorker, toWorker, new Date(Date.now() + this.failoverTimeMillis)),
    );
    this.logger?.debug('lease transferred', { shardId, from: fromWorker, to: toWorker, leaseCounter: stored.leaseCounter });
    return stored;
  }

  async renewLeases(shards: ShardStatus[], workerId: string): Promise<Array<ShardStatus | Error>> {
    this.assertOpen();
    assertNonEmpty(workerId, 'worker id', 'renewLeases');
    const results = await this.table.run('renewLeases', (leases) => {
      const leaseTimeout = new Date(Date.now() + this.failoverTimeMillis);
      return shards.map((shard): ShardStatus | Error => {
        try {
          if (shard.assignedTo !== workerId || shard.leaseToken === undefined) {
            throw new LeaseLostError(shard.id, `Lease for shard ${shard.id} is not a tenure of ${workerId} (owner or token missing): not renewed`);
          }
          return renewStoredLease(leases, shard, workerId, leaseTimeout);
        } catch (error) {
          return error as Error;
        }
      });
    });
    return results.map((result, i) => {
      if (result instanceof Error) return result;
      const shard = shards[i] as ShardStatus;
      applyStoredLease(shard, result);
      return shard;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new LeaseStoreError(`InMemoryCheckpointer of ${this.workerId} is closed`);
  }
}

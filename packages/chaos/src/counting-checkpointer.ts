import type { Checkpointer, CoordinatorLease, OwnedLease, ShardStatus, WorkerHeartbeat } from '@kcl/core';

/** A Checkpointer that counts the calls of each method (and failed calls as `<method>:failed`) and delegates. */
export class CountingCheckpointer implements Checkpointer {
  readonly counts: Record<string, number> = {};
  /** Present (and counted) only when the inner store has a batch renewal. */
  readonly renewLeases?: (shards: ShardStatus[], workerId: string) => Promise<Array<ShardStatus | Error>>;

  constructor(private readonly inner: Checkpointer) {
    if (inner.renewLeases) this.renewLeases = (shards, workerId) => this.count('renewLeases', () => inner.renewLeases!(shards, workerId));
  }

  private async count<T>(method: string, call: () => Promise<T>): Promise<T> {
    this.counts[method] = (this.counts[method] ?? 0) + 1;
    try {
      return await call();
    } catch (error) {
      const key = `${method}:failed`;
      this.counts[key] = (this.counts[key] ?? 0) + 1;
      throw error;
    }
  }

  init(): Promise<void> {
    return this.count('init', () => this.inner.init());
  }
  takeLease(shard: ShardStatus, newAssignTo: string): Promise<void> {
    return this.count('takeLease', () => this.inner.takeLease(shard, newAssignTo));
  }
  renewLease(shard: ShardStatus, workerId: string): Promise<void> {
    return this.count('renewLease', () => this.inner.renewLease(shard, workerId));
  }
  checkpointSequence(shard: ShardStatus): Promise<void> {
    return this.count('checkpointSequence', () => this.inner.checkpointSequence(shard));
  }
  fetchCheckpoint(shard: ShardStatus): Promise<void> {
    return this.count('fetchCheckpoint', () => this.inner.fetchCheckpoint(shard));
  }
  removeLeaseInfo(shardId: string): Promise<void> {
    return this.count('removeLeaseInfo', () => this.inner.removeLeaseInfo(shardId));
  }
  removeLeaseOwner(shardId: string, leaseToken: string): Promise<void> {
    return this.count('removeLeaseOwner', () => this.inner.removeLeaseOwner(shardId, leaseToken));
  }
  getLeaseOwner(shardId: string): Promise<string> {
    return this.count('getLeaseOwner', () => this.inner.getLeaseOwner(shardId));
  }
  listActiveWorkers(shardStatus: Map<string, ShardStatus>): Promise<Map<string, ShardStatus[]>> {
    return this.count('listActiveWorkers', () => this.inner.listActiveWorkers(shardStatus));
  }
  claimShard(shard: ShardStatus, claimId: string): Promise<void> {
    return this.count('claimShard', () => this.inner.claimShard(shard, claimId));
  }
  listLeases(): Promise<ShardStatus[]> {
    return this.count('listLeases', () => this.inner.listLeases());
  }
  heartbeat(workerId: string): Promise<void> {
    return this.count('heartbeat', () => this.inner.heartbeat(workerId));
  }
  removeWorker(workerId: string): Promise<void> {
    return this.count('removeWorker', () => this.inner.removeWorker(workerId));
  }
  listWorkers(): Promise<WorkerHeartbeat[]> {
    return this.count('listWorkers', () => this.inner.listWorkers());
  }
  getCoordinatorLease(): Promise<CoordinatorLease | undefined> {
    return this.count('getCoordinatorLease', () => this.inner.getCoordinatorLease());
  }
  takeCoordinatorLease(workerId: string, observedCounter: number): Promise<CoordinatorLease> {
    return this.count('takeCoordinatorLease', () => this.inner.takeCoordinatorLease(workerId, observedCounter));
  }
  renewCoordinatorLease(workerId: string, leaseToken: string): Promise<CoordinatorLease> {
    return this.count('renewCoordinatorLease', () => this.inner.renewCoordinatorLease(workerId, leaseToken));
  }
  releaseCoordinatorLease(workerId: string, leaseToken: string): Promise<void> {
    return this.count('releaseCoordinatorLease', () => this.inner.releaseCoordinatorLease(workerId, leaseToken));
  }
  listOwnedLeases(workerId: string): Promise<OwnedLease[]> {
    return this.count('listOwnedLeases', () => this.inner.listOwnedLeases(workerId));
  }
  transferLease(shardId: string, leaseToken: string, fromWorker: string, toWorker: string): Promise<ShardStatus> {
    return this.count('transferLease', () => this.inner.transferLease(shardId, leaseToken, fromWorker, toWorker));
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

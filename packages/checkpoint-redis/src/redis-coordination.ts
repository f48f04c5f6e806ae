import { randomUUID } from 'node:crypto';
import {
  COORDINATOR_LEASE_ID,
  type CoordinatorLease,
  InvalidArgumentError,
  LeaseLostError,
  LeaseNotAcquiredError,
  LeaseStoreError,
  type OwnedLease,
  type ShardStatus,
  type WorkerHeartbeat,
} from '@kcl/core';
import type { LeaseKeys } from './keys';
import { applyStoredLease, copyStoredLease as toShardStatus } from '@kcl/core';
import { decodeLease, FIELD, type LeaseHash } from './lease-hash';
import { assertShardId, assertWorkerIdArgument } from './name-rules';
import { runScript, type ScriptingExecutor } from './redis-executor';
import { replyHash, replyScript, replyString } from './reply';
import { ScriptStatus, statusError } from './script-status';
import { loadScript, type ScriptName } from './scripts';

/** What the coordination calls need from {@link RedisCheckpoint}: its keys and its guarded command runner. */
export interface CoordinationContext {
  readonly keys: LeaseKeys;
  readonly failoverTimeMillis: number;
  /** Ensures init, runs `fn`, maps failures to typed lease-store errors. */
  run<T>(operation: string, fn: (executor: ScriptingExecutor) => Promise<T>): Promise<T>;
}

/**
 * The fleet-coordination part of the Redis lease store (docs/design/fleet-coordination.md): the worker registry (one
 * hash, HINCRBY per heartbeat), the coordinator lease (one hash, `coordinator-lease.lua`), the per-owner sets (kept by
 * every lease script, read with one SMEMBERS), hand-off (`transfer-lease.lua`) and batch renewal
 * (`renew-leases.lua`, one round trip for every due lease of a worker).
 */
export class RedisCoordination {
  constructor(private readonly ctx: CoordinationContext) {}

  async heartbeat(workerId: string): Promise<void> {
    checkWorker('heartbeat', workerId);
    const { workers } = this.ctx.keys;
    await this.ctx.run('heartbeat', (exec) => exec.send(workers, ['HINCRBY', workers, workerId, '1']));
  }

  async removeWorker(workerId: string): Promise<void> {
    checkWorker('removeWorker', workerId);
    const { workers } = this.ctx.keys;
    await this.ctx.run('removeWorker', (exec) => exec.send(workers, ['HDEL', workers, workerId]));
  }

  async listWorkers(): Promise<WorkerHeartbeat[]> {
    const { workers } = this.ctx.keys;
    const hash = await this.ctx.run('listWorkers', async (exec) => replyHash(await exec.send(workers, ['HGETALL', workers])));
    return Object.entries(hash).map(([workerId, counter]) => ({ workerId, counter: Number(counter) || 0 }));
  }

  async getCoordinatorLease(): Promise<CoordinatorLease | undefined> {
    const { leader } = this.ctx.keys;
    const hash = await this.ctx.run('getCoordinatorLease', async (exec) => replyHash(await exec.send(leader, ['HGETALL', leader])));
    return Object.keys(hash).length === 0 ? undefined : toCoordinatorLease(hash);
  }

  async takeCoordinatorLease(workerId: string, observedCounter: number): Promise<CoordinatorLease> {
    checkWorker('takeCoordinatorLease', workerId);
    if (!Number.isSafeInteger(observedCounter) || observedCounter < 0) {
      throw new InvalidArgumentError(`takeCoordinatorLease needs the observed counter as an integer >= 0, got ${String(observedCounter)}`);
    }
    const { status, hash } = await this.coordinatorScript('take', workerId, String(observedCounter), randomUUID());
    if (status !== ScriptStatus.Ok) {
      const stored = Object.keys(hash).length === 0 ? 'absent' : (hash[FIELD.leaseCounter] ?? '0');
      throw new LeaseNotAcquiredError(
        COORDINATOR_LEASE_ID,
        `Coordinator lease was not acquired by ${workerId}: its counter is ${stored}, caller observed ${observedCounter}`,
      );
    }
    return toCoordinatorLease(hash);
  }

  async renewCoordinatorLease(workerId: string, leaseToken: string): Promise<CoordinatorLease> {
    checkWorker('renewCoordinatorLease', workerId);
    checkToken('renewCoordinatorLease', leaseToken);
    const { status, hash } = await this.coordinatorScript('renew', workerId, leaseToken);
    if (status !== ScriptStatus.Ok) throw coordinatorLost(workerId, hash, 'renewed');
    return toCoordinatorLease(hash);
  }

  async releaseCoordinatorLease(workerId: string, leaseToken: string): Promise<void> {
    checkWorker('releaseCoordinatorLease', workerId);
    checkToken('releaseCoordinatorLease', leaseToken);
    const { status, hash } = await this.coordinatorScript('release', workerId, leaseToken);
    if (status === ScriptStatus.NotHeld) throw coordinatorLost(workerId, hash, 'released');
  }

  /**
   * One `SMEMBERS` of the owner's set: shard ids only (the set holds no counters), one command whatever the fleet size.
   * The set is kept exact by the lease scripts; a member left by a writer that keeps no sets (go-kcl, an older @kcl)
   * is only a hint, which the worker's read of the lease itself rejects.
   */
  async listOwnedLeases(workerId: string): Promise<OwnedLease[]> {
    checkWorker('listOwnedLeases', workerId);
    const key = this.ctx.keys.ownerSet(workerId);
    const reply = await this.ctx.run(`listOwnedLeases(${workerId})`, (exec) => exec.send(key, ['SMEMBERS', key]));
    if (!Array.isArray(reply)) throw new LeaseStoreError('Unexpected reply from SMEMBERS: not an array');
    return reply.map((member) => ({ shardId: replyString(member) as string }));
  }

  async transferLease(shardId: string, leaseToken: string, fromWorker: string, toWorker: string): Promise<ShardStatus> {
    assertShardId(shardId);
    checkToken('transferLease', leaseToken);
    checkWorker('transferLease', fromWorker);
    checkWorker('transferLease', toWorker);
    if (fromWorker === toWorker) {
      throw new InvalidArgumentError(`transferLease(${shardId}) needs two different workers, got ${JSON.stringify(fromWorker)} twice`);
    }
    const { keys, failoverTimeMillis } = this.ctx;
    const args = [shardId, fromWorker, leaseToken, toWorker, randomUUID(), String(failoverTimeMillis), keys.ownerPrefix];
    const { status, hash } = await this.ctx.run(`transferLease(${shardId})`, async (exec) =>
      replyScript(await runScript(exec, loadScript('transfer-lease'), [keys.shard(shardId)], args)),
    );
    if (status === ScriptStatus.ShardEnded) {
      throw new LeaseNotAcquiredError(shardId, `Lease for shard ${shardId} was not transferred to ${toWorker}: the shard is at SHARD_END`);
    }
    const error = statusError(status, { shardId, workerId: fromWorker, stored: hash });
    if (error) throw error;
    return toShardStatus(decodeLease(shardId, hash));
  }

  async renewLeases(shards: ShardStatus[], workerId: string): Promise<Array<ShardStatus | Error>> {
    checkWorker('renewLeases', workerId);
    const results = new Array<ShardStatus | Error>(shards.length);
    const batch: number[] = [];
    shards.forEach((shard, index) => {
      if (shard.assignedTo !== workerId || shard.leaseToken === undefined) {
        results[index] = new LeaseLostError(
          shard.id,
          `Lease for shard ${shard.id} is not a tenure of ${workerId} (owner or token missing): not renewed`,
        );
      } else batch.push(index);
    });
    if (batch.length === 0) return results;
    const { keys, failoverTimeMillis } = this.ctx;
    const keyList = batch.map((i) => keys.shard((shards[i] as ShardStatus).id));
    const args = [workerId, String(failoverTimeMillis), keys.ownerPrefix];
    for (const i of batch) args.push((shards[i] as ShardStatus).id, (shards[i] as ShardStatus).leaseToken as string);
    const reply = await this.ctx.run(`renewLeases(${batch.length} leases)`, (exec) => runScript(exec, loadScript('renew-leases'), keyList, args));
    if (!Array.isArray(reply) || reply.length !== batch.length) {
      throw new LeaseStoreError(`Unexpected reply from renew-leases.lua: expected ${batch.length} entries`);
    }
    batch.forEach((index, j) => {
      const shard = shards[index] as ShardStatus;
      try {
        const { status, hash } = replyScript(reply[j]);
        const error = statusError(status, { shardId: shard.id, workerId, stored: hash });
        if (error) throw error;
        applyStoredLease(shard, decodeLease(shard.id, hash));
        results[index] = shard;
      } catch (error) {
        results[index] = error as Error;
      }
    });
    return results;
  }

  private coordinatorScript(
    op: 'take' | 'renew' | 'release',
    workerId: string,
    ...rest: string[]
  ): Promise<{ status: ScriptStatus; hash: LeaseHash }> {
    const { leader } = this.ctx.keys;
    const name: ScriptName = 'coordinator-lease';
    return this.ctx.run(`${op}CoordinatorLease`, async (exec) =>
      replyScript(await runScript(exec, loadScript(name), [leader], [op, workerId, ...rest])),
    );
  }
}

function toCoordinatorLease(hash: LeaseHash): CoordinatorLease {
  const owner = hash[FIELD.assignedTo];
  const token = hash[FIELD.leaseToken];
  return {
    assignedTo: owner === undefined || owner === '' ? undefined : owner,
    leaseCounter: Number(hash[FIELD.leaseCounter] ?? '0') || 0,
    leaseToken: token === undefined || token === '' ? undefined : token,
  };
}

function coordinatorLost(workerId: string, hash: LeaseHash, action: string): LeaseLostError {
  const owner = hash[FIELD.assignedTo];
  const holder = !owner ? 'nobody holds it' : owner === workerId ? 'it was re-taken since (another lease token)' : `it is held by ${owner}`;
  return new LeaseLostError(COORDINATOR_LEASE_ID, `Coordinator lease cannot be ${action} by ${workerId}: ${holder}`);
}

function checkWorker(method: string, workerId: unknown): asserts workerId is string {
  assertWorkerIdArgument(method, 'worker id', workerId);
}

function checkToken(method: string, token: unknown): asserts token is string {
  if (typeof token !== 'string' || token.length === 0) {
    throw new InvalidArgumentError(`${method} needs the lease token of the tenure, got ${JSON.stringify(token)}`);
  }
}

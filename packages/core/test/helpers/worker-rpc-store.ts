/**
 * The in-memory lease table shared with a child process over loopback HTTP, so a Worker in a child process that the
 * test SIGKILLs uses the same lease table as workers in the test process (a stand-in for DynamoDB/Redis, which core's
 * tests cannot depend on). Server: {@link startLeaseTableServer}; client: {@link RpcCheckpointer}.
 */
import { createServer, request, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Checkpointer } from '../../src/checkpoint/checkpointer';
import type { CoordinatorLease, OwnedLease, WorkerHeartbeat } from '../../src/checkpoint/coordination';
import type { ShardStatus } from '../../src/checkpoint/shard-status';
import {
  KclError,
  LeaseLostError,
  LeaseNotAcquiredError,
  LeaseStoreUnavailableError,
  NoLeaseOwnerError,
  SequenceNotFoundError,
  ShardClaimedError,
  isKclError,
  type KclErrorCode,
} from '../../src/errors';
import { InMemoryCheckpointer, type InMemoryLeaseTable } from '../../src/testing';

interface CallBody {
  workerId: string;
  method: keyof Checkpointer;
  args: unknown[];
}

interface Reply {
  ok: boolean;
  result?: unknown;
  /** The first argument after the call, when it is a ShardStatus updated in place. */
  shard?: unknown;
  error?: { code?: KclErrorCode; message: string; shardId?: string };
}

function revive(shard: Record<string, unknown>): ShardStatus {
  const copy = { ...shard } as unknown as ShardStatus & { leaseTimeout?: unknown };
  if (typeof copy.leaseTimeout === 'string') copy.leaseTimeout = new Date(copy.leaseTimeout);
  return copy;
}

export interface LeaseTableServer {
  url: string;
  stop(): Promise<void>;
}

/** Serves `table` on a free loopback port: POST / with `{ workerId, method, args }`. */
export async function startLeaseTableServer(table: InMemoryLeaseTable, failoverTimeMillis: number): Promise<LeaseTableServer> {
  const stores = new Map<string, InMemoryCheckpointer>();
  const storeFor = (workerId: string): InMemoryCheckpointer => {
    let store = stores.get(workerId);
    if (!store) {
      store = new InMemoryCheckpointer(table, { workerId, failoverTimeMillis });
      stores.set(workerId, store);
    }
    return store;
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      void (async () => {
        let reply: Reply;
        try {
          const call = JSON.parse(body) as CallBody;
          const store = storeFor(call.workerId);
          const args = call.args.map((a, i) =>
            i === 0 && typeof a === 'object' && a !== null && !Array.isArray(a) ? revive(a as Record<string, unknown>) : a,
          );
          if (call.method === 'listActiveWorkers') {
            const result = await store.listActiveWorkers(new Map());
            reply = { ok: true, result: [...result.entries()] };
          } else {
            const fn = store[call.method] as (...a: unknown[]) => Promise<unknown>;
            const result = await fn.apply(store, args);
            reply = { ok: true, result, shard: args[0] };
          }
        } catch (error) {
          reply = {
            ok: false,
            error: {
              message: error instanceof Error ? error.message : String(error),
              ...(isKclError(error) ? { code: error.code } : {}),
              ...(typeof (error as { shardId?: unknown }).shardId === 'string' ? { shardId: (error as { shardId: string }).shardId } : {}),
            },
          };
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(reply));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function toError(error: NonNullable<Reply['error']>): Error {
  const shardId = error.shardId ?? '?';
  switch (error.code) {
    case 'LEASE_LOST':
      return new LeaseLostError(shardId, error.message);
    case 'LEASE_NOT_ACQUIRED':
      return new LeaseNotAcquiredError(shardId, error.message);
    case 'SHARD_CLAIMED':
      return new ShardClaimedError(shardId, error.message);
    case 'SEQUENCE_NOT_FOUND':
      return new SequenceNotFoundError(shardId, error.message);
    case 'NO_LEASE_OWNER':
      return new NoLeaseOwnerError(shardId, error.message);
    case undefined:
      return new Error(error.message);
    default:
      return new KclError(error.code, error.message);
  }
}

/** A Checkpointer that forwards every call to a {@link startLeaseTableServer} server. */
export class RpcCheckpointer implements Checkpointer {
  private readonly agent = new Agent({ keepAlive: true });
  constructor(
    private readonly url: string,
    private readonly workerId: string,
  ) {}

  private call(method: keyof Checkpointer, args: unknown[]): Promise<Reply> {
    const body = JSON.stringify({ workerId: this.workerId, method, args });
    return new Promise<Reply>((resolve, reject) => {
      const req = request(this.url, { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(text) as Reply);
          } catch (error) {
            reject(error);
          }
        });
      });
      req.on('error', (error) => reject(new LeaseStoreUnavailableError(`lease table server: ${error.message}`, { cause: error })));
      req.end(body);
    });
  }

  private async invoke(method: keyof Checkpointer, args: unknown[], shard?: ShardStatus): Promise<unknown> {
    const reply = await this.call(method, args);
    if (shard && reply.shard) Object.assign(shard, revive(reply.shard as Record<string, unknown>));
    if (!reply.ok) throw toError(reply.error ?? { message: 'unknown error' });
    return reply.result;
  }

  async init(): Promise<void> {
    await this.invoke('init', []);
  }
  async takeLease(shard: ShardStatus, newAssignTo: string): Promise<void> {
    await this.invoke('takeLease', [shard, newAssignTo], shard);
  }
  async renewLease(shard: ShardStatus, workerId: string): Promise<void> {
    await this.invoke('renewLease', [shard, workerId], shard);
  }
  async checkpointSequence(shard: ShardStatus): Promise<void> {
    await this.invoke('checkpointSequence', [shard]);
  }
  async fetchCheckpoint(shard: ShardStatus): Promise<void> {
    await this.invoke('fetchCheckpoint', [shard], shard);
  }
  async removeLeaseInfo(shardId: string): Promise<void> {
    await this.invoke('removeLeaseInfo', [shardId]);
  }
  async removeLeaseOwner(shardId: string, leaseToken: string): Promise<void> {
    await this.invoke('removeLeaseOwner', [shardId, leaseToken]);
  }
  async getLeaseOwner(shardId: string): Promise<string> {
    return (await this.invoke('getLeaseOwner', [shardId])) as string;
  }
  async listActiveWorkers(): Promise<Map<string, ShardStatus[]>> {
    const entries = (await this.invoke('listActiveWorkers', [])) as Array<[string, Array<Record<string, unknown>>]>;
    return new Map(entries.map(([w, list]) => [w, list.map(revive)]));
  }
  async claimShard(shard: ShardStatus, claimId: string): Promise<void> {
    await this.invoke('claimShard', [shard, claimId], shard);
  }
  async listLeases(): Promise<ShardStatus[]> {
    return ((await this.invoke('listLeases', [])) as Array<Record<string, unknown>>).map(revive);
  }
  async heartbeat(workerId: string): Promise<void> {
    await this.invoke('heartbeat', [workerId]);
  }
  async removeWorker(workerId: string): Promise<void> {
    await this.invoke('removeWorker', [workerId]);
  }
  async listWorkers(): Promise<WorkerHeartbeat[]> {
    return (await this.invoke('listWorkers', [])) as WorkerHeartbeat[];
  }
  async getCoordinatorLease(): Promise<CoordinatorLease | undefined> {
    return ((await this.invoke('getCoordinatorLease', [])) ?? undefined) as CoordinatorLease | undefined;
  }
  async takeCoordinatorLease(workerId: string, observedCounter: number): Promise<CoordinatorLease> {
    return (await this.invoke('takeCoordinatorLease', [workerId, observedCounter])) as CoordinatorLease;
  }
  async renewCoordinatorLease(workerId: string, leaseToken: string): Promise<CoordinatorLease> {
    return (await this.invoke('renewCoordinatorLease', [workerId, leaseToken])) as CoordinatorLease;
  }
  async releaseCoordinatorLease(workerId: string, leaseToken: string): Promise<void> {
    await this.invoke('releaseCoordinatorLease', [workerId, leaseToken]);
  }
  async listOwnedLeases(workerId: string): Promise<OwnedLease[]> {
    return (await this.invoke('listOwnedLeases', [workerId])) as OwnedLease[];
  }
  async transferLease(shardId: string, leaseToken: string, fromWorker: string, toWorker: string): Promise<ShardStatus> {
    return revive((await this.invoke('transferLease', [shardId, leaseToken, fromWorker, toWorker])) as Record<string, unknown>);
  }
  // renewLeases (optional) is not offered over RPC: its per-entry errors do not survive JSON; callers renew one by one.
  async close(): Promise<void> {
    this.agent.destroy();
  }
}

/**
 * A fleet of worker processes on one stream and lease table (the balancing and leader tests), with the views those
 * tests assert on: which shards each process holds (from its own lines), how leases moved, whether every hand-off
 * honoured the old owner's last checkpoint, and who holds the leader role.
 */
import { ShutdownReason } from '@kcl/core';
import { waitFor } from '@kcl/testbed';
import type { Cleanup, DeliveryLog, Producer, StoreNamespace } from '../../src';
import type { LeaseStoreServer } from '../../src/lease-stores';
import type { WorkerProcessConfig } from '../fixtures/worker-process';
import { deliveryLog, WorkerProcess, type DeliveryLogOptions, type ReceivedLine } from './worker-processes';

export type FleetSettings = Omit<WorkerProcessConfig, 'workerId'>;

/** A lease taken by a worker (leaseAcquired line). */
export interface Acquisition {
  workerId: string;
  shardId: string;
  sentAt: number;
}

export class ProcessFleet {
  readonly processes: WorkerProcess[] = [];

  constructor(
    private readonly settings: FleetSettings,
    cleanup: Cleanup,
  ) {
    cleanup.add(() =>
      Promise.all(
        this.processes.map(async (p) => {
          p.child.kill('SIGCONT'); // a stopped process must be continued to die of anything but SIGKILL
          await p.stop('SIGKILL');
        }),
      ),
    );
  }

  /** Spawns one process per worker id (at once) and waits until every one has started; fails if one died. */
  async start(...workerIds: string[]): Promise<WorkerProcess[]> {
    const started = workerIds.map((workerId) => new WorkerProcess({ ...this.settings, workerId }));
    this.processes.push(...started);
    await waitFor(() => started.every((p) => p.started || !p.running), `worker process(es) ${workerIds.join(', ')} to start`, 30_000);
    const dead = started.filter((p) => !p.running).map((p) => p.workerId);
    if (dead.length > 0) throw new Error(`worker process(es) ${dead.join(', ')} exited on start-up (stderr shows why)`);
    return started;
  }

  /** {@link start} for one worker. */
  async startOne(workerId: string): Promise<WorkerProcess> {
    await this.start(workerId);
    return this.get(workerId);
  }

  get(workerId: string): WorkerProcess {
    const found = this.processes.find((p) => p.workerId === workerId);
    if (!found) throw new Error(`no worker process ${workerId}`);
    return found;
  }

  /** Every process's lines of one type, ordered by the time they were written. */
  lines<T extends ReceivedLine['type']>(type: T): Array<Extract<ReceivedLine, { type: T }>> {
    return this.processes.flatMap((p) => p.of(type)).sort((a, b) => a.sentAt - b.sentAt);
  }

  log(options?: DeliveryLogOptions): DeliveryLog {
    return deliveryLog(this.processes, options);
  }

  /** The shards `process` holds now by its own account (leaseAcquired minus leaseLost lines). */
  held(process: WorkerProcess): Set<string> {
    const held = new Set<string>();
    for (const line of process.lines) {
      if (line.type === 'leaseAcquired') held.add(line.shardId);
      if (line.type === 'leaseLost') held.delete(line.shardId);
    }
    return held;
  }

  /** Shard counts of `processes` (default: the running ones), in their order. */
  counts(processes = this.processes.filter((p) => p.running)): number[] {
    return processes.map((p) => this.held(p).size);
  }

  /**
   * True when `processes` together hold all `shardCount` shards, none twice, each within its fair share
   * (`floor(shardCount / n)` or one more).
   */
  balanced(shardCount: number, processes = this.processes.filter((p) => p.running)): boolean {
    const sets = processes.map((p) => this.held(p));
    const all = new Set(sets.flatMap((s) => [...s]));
    const floor = Math.floor(shardCount / processes.length);
    const total = sets.reduce((n, s) => n + s.size, 0);
    return total === shardCount && all.size === shardCount && sets.every((s) => s.size === floor || s.size === floor + 1);
  }

  /** Every lease acquisition, in time order. */
  acquisitions(): Acquisition[] {
    return this.lines('leaseAcquired').map((l) => ({ workerId: l.workerId, shardId: l.shardId, sentAt: l.sentAt }));
  }

  /** Per shard, the workers that acquired it, in order (one entry per acquisition). */
  ownerHistory(): Map<string, string[]> {
    const history = new Map<string, string[]>();
    for (const a of this.acquisitions()) history.set(a.shardId, [...(history.get(a.shardId) ?? []), a.workerId]);
    return history;
  }

  /**
   * Checks every lease a worker gave up on purpose (leaseLost `handoff` or `released`) and returns one line per
   * problem: the processor got shutdown(REQUESTED) and its checkpoint succeeded before the lease left; the next owner
   * delivered nothing of the shard before that, and its first record is the one right after the old owner's last.
   */
  handOffProblems(producer: Producer): string[] {
    const problems: string[] = [];
    const log = this.log();
    for (const lost of this.lines('leaseLost').filter((l) => l.reason === 'handoff' || l.reason === 'released')) {
      const what = `${lost.shardId} ${lost.reason} by ${lost.workerId}`;
      const from = this.get(lost.workerId);
      const done = from
        .of('shutdownDone')
        .filter((s) => s.shardId === lost.shardId && s.sentAt <= lost.sentAt)
        .at(-1);
      if (!done || done.reason !== ShutdownReason.REQUESTED || !done.checkpointed) {
        problems.push(`${what}: no REQUESTED shutdown with a successful checkpoint before (${JSON.stringify(done)})`);
        continue;
      }
      const since = this.acquisitions()
        .filter((a) => a.shardId === lost.shardId && a.workerId === lost.workerId && a.sentAt <= lost.sentAt)
        .at(-1);
      const next = this.acquisitions().find((a) => a.shardId === lost.shardId && a.workerId !== lost.workerId && a.sentAt > (since?.sentAt ?? 0));
      if (!next) continue; // nobody took it (yet): nothing to compare
      if (next.sentAt < done.sentAt) problems.push(`${what}: ${next.workerId} acquired it before the old owner's shutdown returned`);
      const lastOld = log
        .batchesOf(lost.shardId, lost.workerId)
        .filter((b) => b.start <= done.sentAt)
        .at(-1)
        ?.records.at(-1);
      const firstNew = log.batchesOf(lost.shardId, next.workerId).find((b) => b.start > done.sentAt)?.records[0];
      if (!lastOld || !firstNew) continue; // one of them delivered nothing of this shard
      const expected = producer.ofShard(lost.shardId).find((r) => BigInt(r.sequenceNumber) > BigInt(lastOld.sequenceNumber));
      if (firstNew.sequenceNumber !== expected?.sequenceNumber) {
        problems.push(
          `${what}: ${next.workerId} started at ${firstNew.sequenceNumber}, expected ${expected?.sequenceNumber} (right after ${lastOld.sequenceNumber})`,
        );
      }
    }
    return problems;
  }
}

/** The holder of the leader role as the store has it (undefined: nobody). */
export async function leaderOf(store: LeaseStoreServer, namespace: StoreNamespace): Promise<string | undefined> {
  return (await store.coordinator(namespace))?.assignedTo;
}

/** The checkpoint of each of `shardIds` in the store now. */
export async function checkpointsOf(store: LeaseStoreServer, namespace: StoreNamespace, shardIds: string[]): Promise<Map<string, string>> {
  const leases = await store.leases(namespace);
  return new Map(shardIds.map((id) => [id, leases.get(id)?.checkpoint ?? '']));
}

/**
 * Payloads delivered twice that may not be: everything but what `workerId` delivered of `checkpoints`' shards after
 * those checkpoints (a worker that died or was paused: its un-checkpointed records come again).
 */
export function unexpectedDuplicates(log: DeliveryLog, workerId: string, checkpoints: Map<string, string>): string[] {
  const mayRepeat = new Set(
    log
      .deliveries()
      .filter((d) => d.batch.workerId === workerId && checkpoints.has(d.batch.shardId))
      .filter((d) => BigInt(d.sequenceNumber) > BigInt(checkpoints.get(d.batch.shardId) || '0'))
      .map((d) => d.data),
  );
  return log.duplicates().filter((d) => !mayRepeat.has(d));
}

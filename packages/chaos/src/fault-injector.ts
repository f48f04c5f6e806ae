/**
 * Applies the schedule's coordinator-side faults at their times: process faults on the worker slots, resharding on
 * the stream, and lease-store faults (Redis restart, partition, reset, latency) on the proxies. Kinesis faults are
 * injected by the workers themselves; they are only recorded here. Every fault is undone before {@link run} resolves.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { now, sleep } from './clock';
import type { AppliedFault } from './log-lines';
import type { LogTail } from './log-tail';
import { mergeShards, splitShard } from './resharding';
import { KINESIS_FAULT_KINDS, type ChaosSchedule, type ScheduledFault } from './schedule';
import type { LeaseStoreStandIn } from './stand-ins/lease-store';
import type { WorkerSlot } from './worker-process';

/** How long a pause waits for a worker that holds a lease. */
const PAUSE_WAIT_MS = 10_000;

export interface FaultInjectorOptions {
  schedule: ChaosSchedule;
  slots: WorkerSlot[];
  store: LeaseStoreStandIn;
  kinesis: KinesisClient;
  streamName: string;
  tail: LogTail;
  /** Producer start (the schedule's zero). */
  t0: number;
  signal: AbortSignal;
  /** Progress notes (for the terminal). */
  note?: (text: string) => void;
}

export class FaultInjector {
  readonly applied: AppliedFault[] = [];
  /** Faults that could not be applied (with the reason). */
  readonly skipped: string[] = [];
  private readonly o: FaultInjectorOptions;
  private storeQueue: Promise<void> = Promise.resolve();

  constructor(options: FaultInjectorOptions) {
    this.o = options;
  }

  /** Runs every fault of the schedule at its time (concurrently); resolves when all are over and undone. */
  async run(): Promise<void> {
    await Promise.all(this.o.schedule.faults.map((fault) => this.runAt(fault)));
  }

  private async runAt(fault: ScheduledFault): Promise<void> {
    await sleep(this.o.t0 + fault.at - now(), this.o.signal);
    if (this.o.signal.aborted) return;
    try {
      await this.apply(fault);
    } catch (error) {
      this.skipped.push(`${fault.kind} at ${fault.at} ms: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private record(fault: AppliedFault): AppliedFault {
    this.applied.push(fault);
    this.o.note?.(`${fault.kind}${fault.worker ? ` ${fault.worker}` : ''}${fault.detail ? ` (${fault.detail})` : ''}`);
    return fault;
  }

  private async apply(fault: ScheduledFault): Promise<void> {
    const duration = fault.durationMs ?? 0;
    if ((KINESIS_FAULT_KINDS as readonly string[]).includes(fault.kind)) {
      this.record({
        kind: fault.kind,
        at: now(),
        endAt: now() + duration,
        detail: `${Math.round((fault.rate ?? 0) * 100)} % of the calls of every worker for ${duration} ms`,
      });
      return;
    }
    switch (fault.kind) {
      case 'kill':
        return this.kill(fault, duration);
      case 'pause':
        return this.pause(fault, duration);
      case 'split':
        this.record({ kind: 'split', at: now(), detail: await splitShard(this.o.kinesis, this.o.streamName, fault.pick ?? 0) });
        return;
      case 'merge':
        this.record({ kind: 'merge', at: now(), detail: await mergeShards(this.o.kinesis, this.o.streamName, fault.pick ?? 0) });
        return;
      default:
        return this.storeFault(fault, duration);
    }
  }

  /** The first running, unpaused slot from `preferred` on (optionally one that processes a shard). */
  private pickSlot(preferred: number, needsLease: boolean): WorkerSlot | undefined {
    const n = this.o.slots.length;
    for (let i = 0; i < n; i++) {
      const slot = this.o.slots[(preferred + i) % n]!;
      if (!slot.running || slot.paused) continue;
      if (needsLease && this.o.tail.shardsOf(slot.inc).length === 0) continue;
      return slot;
    }
    return undefined;
  }

  private async kill(fault: ScheduledFault, downMs: number): Promise<void> {
    const slot = this.pickSlot(fault.worker ?? 0, false);
    if (!slot) throw new Error('no running worker to kill');
    this.o.tail.poll();
    const record = this.record({
      kind: 'kill',
      at: now(),
      worker: slot.workerId,
      inc: slot.inc ?? '?',
      detail: `held ${this.o.tail.shardsOf(slot.inc).length} shard(s); restart after ${downMs} ms`,
    });
    await slot.kill();
    await sleep(downMs, this.o.signal);
    slot.start();
    record.endAt = now();
  }

  private async pause(fault: ScheduledFault, durationMs: number): Promise<void> {
    // Leases may be briefly unheld (e.g. right after a lease-store outage): wait a little for a holder.
    let slot: WorkerSlot | undefined;
    for (let waited = 0; !slot && waited <= PAUSE_WAIT_MS && !this.o.signal.aborted; waited += 250) {
      this.o.tail.poll();
      slot = this.pickSlot(fault.worker ?? 0, true);
      if (!slot) await sleep(250, this.o.signal);
    }
    if (!slot) throw new Error(`no running worker held a lease within ${PAUSE_WAIT_MS} ms`);
    const record = this.record({
      kind: 'pause',
      at: now(),
      worker: slot.workerId,
      inc: slot.inc ?? '?',
      detail: `SIGSTOP for ${durationMs} ms while holding ${this.o.tail.shardsOf(slot.inc).join(', ')}`,
    });
    slot.pause();
    await sleep(durationMs);
    slot.resume();
    record.endAt = now();
  }

  /** Lease-store faults never overlap: one that is due while another is in effect starts when that one ends. */
  private storeFault(fault: ScheduledFault, durationMs: number): Promise<void> {
    const run = this.storeQueue.then(() => this.applyStoreFault(fault, durationMs));
    this.storeQueue = run.catch(() => undefined);
    return run;
  }

  private async applyStoreFault(fault: ScheduledFault, durationMs: number): Promise<void> {
    const store = this.o.store;
    switch (fault.kind) {
      case 'redis-restart': {
        if (!store.redis) throw new Error('no restartable Redis server on this backend');
        const record = this.record({ kind: fault.kind, at: now(), detail: `down ${durationMs} ms, same port ${store.redis.port}` });
        await store.redis.restart(durationMs);
        record.endAt = now();
        return;
      }
      case 'store-partition': {
        const record = this.record({ kind: fault.kind, at: now(), detail: `black hole for ${durationMs} ms` });
        store.blackHole();
        await sleep(durationMs);
        store.heal();
        record.endAt = now();
        return;
      }
      case 'store-reset': {
        const record = this.record({ kind: fault.kind, at: now(), detail: `connections reset, refused for ${durationMs} ms` });
        store.reset();
        await sleep(durationMs);
        store.heal();
        record.endAt = now();
        return;
      }
      case 'store-latency': {
        const latency = fault.latencyMs ?? 100;
        const record = this.record({ kind: fault.kind, at: now(), detail: `+${latency} ms each way for ${durationMs} ms` });
        store.setLatency(latency);
        await sleep(durationMs);
        store.setLatency(0);
        record.endAt = now();
        return;
      }
      default:
        throw new Error(`unknown fault kind ${fault.kind}`);
    }
  }
}

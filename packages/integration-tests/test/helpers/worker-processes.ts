/** Parent side of the process tests: spawns worker processes and collects their JSON lines with receive times. */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnNodeChild } from '@kcl/testbed';
import { DeliveryLog } from '../../src/delivery-log';
import type { WorkerProcessConfig, WorkerProcessLine } from '../fixtures/worker-process';

const FIXTURES = join(__dirname, '..', 'fixtures');

/**
 * A line with two times on the parent's `performance.now()` timeline: `at`, when the parent read it, and `sentAt`,
 * when the child wrote it (its epoch time `t` less the parent's `performance.timeOrigin`), which orders lines of
 * different processes correctly even when the parent reads their pipes in another order.
 */
export type ReceivedLine = WorkerProcessLine & { at: number; sentAt: number };

/** One worker process and everything it printed. */
export class WorkerProcess {
  readonly lines: ReceivedLine[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly settings: WorkerProcessConfig) {
    const child = spawnNodeChild(join(FIXTURES, 'worker-process.ts'), {
      nodeOptions: ['--disable-warning=NodeVersionSupportWarning'],
      env: { KCL_IT_WORKER: JSON.stringify(settings) },
      stderr: 'inherit',
    });
    this.child = child.process;
    this.exited = child.exited;
    const reader = createInterface({ input: this.child.stdout as NodeJS.ReadableStream });
    reader.on('line', (text) => {
      if (!text.startsWith('{')) return;
      const line = JSON.parse(text) as WorkerProcessLine;
      this.lines.push({ ...line, at: performance.now(), sentAt: line.t - performance.timeOrigin });
    });
  }

  get workerId(): string {
    return this.settings.workerId;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Lines of one type. */
  of<T extends WorkerProcessLine['type']>(type: T): Array<Extract<ReceivedLine, { type: T }>> {
    return this.lines.filter((l) => l.type === type) as Array<Extract<ReceivedLine, { type: T }>>;
  }

  get started(): boolean {
    return this.of('started').length > 0;
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}

export interface DeliveryLogOptions {
  /**
   * `true`: a batch spans from its batch line to its batchDone line (its checkpoint returned), so a hand-off shows as
   * an overlap unless the old owner's last checkpoint returned before the new owner's first batch; a batch without a
   * batchDone (the process was killed) ends where it started. `false`: every batch is the moment it was delivered (for
   * tests that pause a process: its call in flight spans the pause).
   * @defaultValue true
   */
  intervals?: boolean;
}

/** Every batch line of every process as one delivery log (times are the children's write times, `sentAt`). */
export function deliveryLog(processes: WorkerProcess[], options: DeliveryLogOptions = {}): DeliveryLog {
  const log = new DeliveryLog();
  const entries = processes.flatMap((p) => {
    // Calls of one processor object are sequential: its n-th batchDone belongs to its n-th batch.
    const done = new Map<string, number[]>();
    for (const d of p.of('batchDone')) done.set(d.instance, [...(done.get(d.instance) ?? []), d.sentAt]);
    const seen = new Map<string, number>();
    return p.of('batch').map((b) => {
      const n = seen.get(b.instance) ?? 0;
      seen.set(b.instance, n + 1);
      const end = options.intervals === false ? b.sentAt : (done.get(b.instance)?.[n] ?? b.sentAt);
      return { workerId: b.workerId, shardId: b.shardId, instance: b.instance, start: b.sentAt, end, records: b.records, failed: false };
    });
  });
  for (const entry of entries.sort((a, b) => a.start - b.start)) log.addBatch(entry);
  return log;
}

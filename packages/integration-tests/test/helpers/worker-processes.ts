/** Parent side of the process tests: spawns worker processes and collects their JSON lines with receive times. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DeliveryLog } from '../../src/delivery-log';
import type { WorkerProcessConfig, WorkerProcessLine } from '../fixtures/worker-process';

const FIXTURES = join(__dirname, '..', 'fixtures');

export type ReceivedLine = WorkerProcessLine & { at: number };

/** One worker process and everything it printed. */
export class WorkerProcess {
  readonly lines: ReceivedLine[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly settings: WorkerProcessConfig) {
    this.child = spawn(process.execPath, ['--disable-warning=NodeVersionSupportWarning', '-r', join(FIXTURES, 'ts-register.js'), join(FIXTURES, 'worker-process.ts')], {
      env: { ...process.env, KCL_IT_WORKER: JSON.stringify(settings) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    const reader = createInterface({ input: this.child.stdout as NodeJS.ReadableStream });
    reader.on('line', (text) => {
      if (!text.startsWith('{')) return;
      this.lines.push({ ...(JSON.parse(text) as WorkerProcessLine), at: performance.now() });
    });
  }

  get workerId(): string {
    return this.settings.workerId;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Lines of one type. */
  of<T extends WorkerProcessLine['type']>(type: T): Array<Extract<WorkerProcessLine, { type: T }> & { at: number }> {
    return this.lines.filter((l) => l.type === type) as Array<Extract<WorkerProcessLine, { type: T }> & { at: number }>;
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

/** Every batch line of every process as one delivery log (times are the parent's receive times). */
export function deliveryLog(processes: WorkerProcess[]): DeliveryLog {
  const log = new DeliveryLog();
  const batches = processes.flatMap((p) => p.of('batch')).sort((a, b) => a.at - b.at);
  for (const b of batches) {
    log.addBatch({ workerId: b.workerId, shardId: b.shardId, instance: b.instance, start: b.at, end: b.at, records: b.records, failed: false });
  }
  return log;
}

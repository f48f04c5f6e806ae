/**
 * The coordinator's handle on one worker slot: the current worker process (incarnation) of that slot, started with
 * its settings, and the process faults applied to it (SIGKILL + restart, SIGSTOP + SIGCONT, graceful SIGTERM).
 */
import { extname, join } from 'node:path';
import { spawnNodeChild, type NodeChild } from '@kcl/testbed';
import { WORKER_SETTINGS_ENV, type WorkerSettings } from './worker-settings';

export class WorkerSlot {
  private child: NodeChild | undefined;
  private incarnationCount = 0;
  paused = false;
  /** Exits that were not asked for (crashes), as `pid: code/signal`. */
  readonly unexpectedExits: string[] = [];
  private expectingExit = false;

  constructor(
    readonly slot: number,
    readonly workerId: string,
    private readonly settings: (incarnation: number) => WorkerSettings,
    private readonly stderrFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.exit ? undefined : this.child?.pid;
  }

  /** `workerId/pid` of the running incarnation. */
  get inc(): string | undefined {
    const pid = this.pid;
    return pid === undefined ? undefined : `${this.workerId}/${pid}`;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  get incarnations(): number {
    return this.incarnationCount;
  }

  start(): void {
    if (this.running) return;
    const settings = this.settings(this.incarnationCount++);
    // worker-main next to this module: dist/*.js, or src/*.ts (through testbed's ts preload) when run from src/ (tests).
    const entry = join(__dirname, `worker-main${extname(__filename)}`);
    const child = spawnNodeChild(entry, { env: { [WORKER_SETTINGS_ENV]: JSON.stringify(settings) }, stderr: { file: this.stderrFile } });
    this.child = child;
    this.expectingExit = false;
    this.paused = false;
    void child.exited.then((exit) => {
      if (!this.expectingExit) this.unexpectedExits.push(`${child.pid}: ${exit.code ?? exit.signal}`);
    });
  }

  /** SIGKILL; resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exit) return;
    this.expectingExit = true;
    child.signal('SIGKILL');
    await child.exited;
    this.paused = false;
  }

  pause(): void {
    if (!this.running || this.paused) return;
    this.child?.signal('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.child?.signal('SIGCONT');
    this.paused = false;
  }

  /** Graceful stop (SIGTERM: the worker shuts down and exits); SIGKILL after `graceMs`. True if it stopped by itself. */
  async stop(graceMs: number): Promise<boolean> {
    const child = this.child;
    if (!child || child.exit) return true;
    this.resume();
    this.expectingExit = true;
    child.signal('SIGTERM');
    const exit = await child.waitExit(graceMs);
    if (exit) return exit.code === 0;
    child.signal('SIGKILL');
    await child.exited;
    return false;
  }
}

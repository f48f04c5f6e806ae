import { IpcChild, type ChildMessage } from '@kcl/testbed';
import { benchScript } from './scale-child-process';
import type { DeliveredBatch } from './scale-delivery';
import type { ScaleWorkerSettings, WorkerSnapshot } from './scale-worker-protocol';

/** Coordinator side of one worker process (./scale-worker-child). */
export class ScaleWorkerProcess {
  private readonly child: IpcChild;
  /** performance.now() when the child called start() (its `ready` message arrived). */
  readyAt: number | undefined;
  /** How long start() took in the child. */
  startMillis: number | undefined;
  /** Leases held when start() resolved. */
  heldAtStart: number | undefined;
  /** Why start() failed, when it did. */
  failure: string | undefined;
  /** How long the worker's graceful shutdown took. */
  shutdownMillis: number | undefined;
  exited = false;
  /** Called with every lease-count heartbeat. */
  onHeld: (count: number, at: number) => void = () => undefined;
  /** Called with every delivered batch. */
  onDelivered: (batch: DeliveredBatch) => void = () => undefined;

  constructor(readonly settings: ScaleWorkerSettings) {
    this.child = new IpcChild(settings.workerId, benchScript('scale-worker-child.js'), [JSON.stringify(settings)], { execArgv: workerNodeArgs() });
    this.child.onMessage = (message) => this.handle(message);
    this.child.onExit = () => {
      this.exited = true;
    };
  }

  get workerId(): string {
    return this.settings.workerId;
  }

  /** Waits until the child calls start(); resolves with that time (performance.now()). */
  async ready(timeoutMs: number): Promise<number> {
    await this.child.ready(timeoutMs);
    this.readyAt = performance.now();
    return this.readyAt;
  }

  /** The child's figures since its previous snapshot; undefined when it did not answer within `timeoutMs`. */
  async snapshot(timeoutMs: number): Promise<WorkerSnapshot | undefined> {
    const answer = await this.child.request({ type: 'snapshot' }, timeoutMs);
    return answer?.snapshot as WorkerSnapshot | undefined;
  }

  /** Starts the steady part of the phase in the child (figures since this mark come with the next snapshot). */
  mark(): void {
    this.child.send({ type: 'mark' });
  }

  /** Graceful shutdown (bounded by `timeoutMs`), then the process ends (killed if it does not). */
  async stop(timeoutMs: number): Promise<void> {
    const answer = await this.child.request({ type: 'stop' }, timeoutMs);
    if (typeof answer?.millis === 'number') this.shutdownMillis = answer.millis;
    await this.child.stop();
  }

  /** Kills the process at once (used when the run is abandoned). */
  kill(): Promise<void> {
    return this.child.stop(0);
  }

  /** Last lines of the child's stderr. */
  stderr(): string[] {
    return this.child.stderr();
  }

  private handle(message: ChildMessage): void {
    switch (message.type) {
      case 'held':
        this.onHeld(Number(message.count), performance.now());
        break;
      case 'delivered':
        for (const batch of message.batches as DeliveredBatch[]) this.onDelivered(batch);
        break;
      case 'started':
        this.startMillis = Number(message.millis);
        this.heldAtStart = Number(message.held);
        this.onHeld(Number(message.held), performance.now());
        break;
      case 'failed':
        this.failure = String(message.message);
        break;
      default:
        break;
    }
  }
}

/**
 * Extra Node.js options for every worker process, from the environment variable `BENCH_SCALE_WORKER_NODE_ARGS`
 * (split on whitespace), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the workers only (Node refuses
 * `--cpu-prof` in NODE_OPTIONS, and that would profile kinesalite and the coordinator too).
 */
export function workerNodeArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.BENCH_SCALE_WORKER_NODE_ARGS ?? '').split(/\s+/).filter((arg) => arg.length > 0);
}

import { forkIpcChild, type IpcChild } from '@kcl/testbed';
import { benchScript } from './scale-child-process';
import { floorSnapshotOf, type MachineFloorSnapshot } from './scale-floor-protocol';

/**
 * Coordinator side of the machine-floor probe (./scale-floor-child): an idle Node process measuring its own
 * event-loop delay the way the workers do, snapshotted and marked together with them. See ./scale-floor-protocol.
 */
export class MachineFloorProbe {
  private constructor(private readonly child: IpcChild) {}

  /** Forks the probe and waits for it to run; rejects (with the child stopped) when it is not ready within `timeoutMs`. */
  static async start(timeoutMs: number): Promise<MachineFloorProbe> {
    const { child } = await forkIpcChild('machine-floor probe', benchScript('scale-floor-child.js'), [], { timeoutMs });
    return new MachineFloorProbe(child);
  }

  /** Starts the steady part of the phase in the probe (sent at the same moment as the workers' mark). */
  mark(): void {
    this.child.send({ type: 'mark' });
  }

  /** The probe's figures since its previous snapshot (then reset); undefined when it did not answer within `timeoutMs`. */
  async snapshot(timeoutMs: number): Promise<MachineFloorSnapshot | undefined> {
    return floorSnapshotOf(await this.child.request({ type: 'snapshot' }, timeoutMs));
  }

  /** Disconnects (the probe exits by itself) and kills it if it has not exited within 5 s. Safe to call twice. */
  stop(): Promise<void> {
    return this.child.stop();
  }
}

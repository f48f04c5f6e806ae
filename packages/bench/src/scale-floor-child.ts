// The machine-floor probe of `pnpm bench:scale`: an idle Node process that does nothing but measure its own
// event-loop delay with `monitorEventLoopDelay({ resolution: 10 })`, exactly as every worker process does. Whatever
// delay it sees is the OS scheduler's alone (the other processes of the run competing for the cores), so the report
// can put a worker's delay next to the machine's. Talks to the coordinator over IPC (./scale-floor-protocol):
//   -> ready (the histogram runs)
//   <- snapshot (answered with p99 / max since the previous snapshot, then reset), mark (the steady part starts)
// Exits when the coordinator disconnects or dies. Imports nothing but Node's own modules, so it stays idle and small.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { LOOP_DELAY_RESOLUTION_MILLIS, loopDelayFigures, type LoopDelayFigures, type MachineFloorSnapshot } from './scale-floor-protocol';

/** A running histogram and when it started (performance.now()). */
interface Measured {
  histogram: IntervalHistogram;
  since: number;
}

function startHistogram(): Measured {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MILLIS });
  histogram.enable();
  return { histogram, since: performance.now() };
}

/** The interval since the previous snapshot (reset at every snapshot, as a worker's is). */
let interval = startHistogram();
/** The steady part of the current interval: from the coordinator's `mark` to the next snapshot. */
let steady: Measured | undefined;

function figures(measured: Measured, now: number): LoopDelayFigures {
  return loopDelayFigures(measured.histogram, now - measured.since);
}

function mark(): void {
  steady?.histogram.disable();
  steady = startHistogram();
}

function snapshot(): MachineFloorSnapshot {
  const now = performance.now();
  const result: MachineFloorSnapshot = figures(interval, now);
  if (steady) {
    result.steady = figures(steady, now);
    steady.histogram.disable();
    steady = undefined;
  }
  interval.histogram.reset();
  interval = { histogram: interval.histogram, since: now };
  return result;
}

/** Fire and forget: a message the coordinator can no longer take (it disconnected) is dropped. */
function send(message: object): void {
  if (process.connected) process.send?.(message, () => undefined);
}

process.on('message', (message: { type?: string; id?: number }) => {
  if (message.type === 'snapshot') send({ type: 'snapshot', id: message.id, floor: snapshot() });
  else if (message.type === 'mark') mark();
});
process.once('disconnect', () => process.exit(0));

send({ type: 'ready' });

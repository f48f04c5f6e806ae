/**
 * What the coordinator of `pnpm bench:scale` and its machine-floor probe (./scale-floor-child) exchange (JSON over
 * IPC), and the figures the probe reports.
 *
 * The probe is an idle Node process that only measures its own event-loop delay, the same way every worker does
 * (`monitorEventLoopDelay`, 10 ms resolution). Its delay is what the OS scheduler alone costs on the machine at that
 * time (kinesalite, the lease store and the workers competing for the cores); a worker's delay above it is the
 * worker's own.
 *
 * Messages:
 *   child -> coordinator: `{ type: 'ready' }` once its histogram runs;
 *   coordinator -> child: `{ type: 'snapshot', id }`, answered with `{ type: 'snapshot', id, floor: MachineFloorSnapshot }`
 *     (figures since the previous snapshot; the histogram is reset, as a worker's is at every snapshot);
 *   coordinator -> child: `{ type: 'mark' }`: the steady part of the phase starts (as the workers' `mark`).
 * The child exits when the coordinator disconnects or dies.
 */

/** The resolution of every `monitorEventLoopDelay` in the bench (workers and probe alike). */
export const LOOP_DELAY_RESOLUTION_MILLIS = 10;

/** Event-loop delay over one interval (a phase, or the steady part of it). */
export interface LoopDelayFigures {
  /** Wall time the figures cover. */
  intervalMillis: number;
  /** perf_hooks monitorEventLoopDelay (10 ms resolution) over the interval; 0 when it recorded nothing. */
  eventLoopDelayP99Millis: number;
  eventLoopDelayMaxMillis: number;
}

/** The probe's answer to a snapshot: the interval since its previous snapshot, and its steady part if it had one. */
export interface MachineFloorSnapshot extends LoopDelayFigures {
  /**
   * From the coordinator's `mark` (the same moment the workers get theirs) to this snapshot; undefined when no mark
   * came in the interval.
   */
  steady?: LoopDelayFigures | undefined;
}

/** What a histogram of `monitorEventLoopDelay` offers (an IntervalHistogram); a structural type so tests can fake it. */
export interface DelayHistogram {
  readonly count: number;
  readonly max: number;
  percentile(percentile: number): number;
}

/** p99 and max of `histogram` (nanoseconds) in ms, over `intervalMillis`; 0 when it recorded nothing. */
export function loopDelayFigures(histogram: DelayHistogram, intervalMillis: number): LoopDelayFigures {
  const any = histogram.count > 0;
  return {
    intervalMillis,
    eventLoopDelayP99Millis: any ? histogram.percentile(99) / 1e6 : 0,
    eventLoopDelayMaxMillis: any ? histogram.max / 1e6 : 0,
  };
}

const isFigures = (value: unknown): value is LoopDelayFigures => {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return [v.intervalMillis, v.eventLoopDelayP99Millis, v.eventLoopDelayMaxMillis].every((n) => typeof n === 'number' && Number.isFinite(n));
};

/**
 * The probe's snapshot out of its IPC answer (`answer.floor`), or undefined when there was no answer or it does not
 * have the expected shape (a steady part that is malformed is dropped, the phase figures kept).
 */
export function floorSnapshotOf(answer: Readonly<Record<string, unknown>> | undefined): MachineFloorSnapshot | undefined {
  const floor = answer?.floor;
  if (!isFigures(floor)) return undefined;
  const steady = (floor as { steady?: unknown }).steady;
  return {
    intervalMillis: floor.intervalMillis,
    eventLoopDelayP99Millis: floor.eventLoopDelayP99Millis,
    eventLoopDelayMaxMillis: floor.eventLoopDelayMaxMillis,
    ...(isFigures(steady)
      ? {
          steady: {
            intervalMillis: steady.intervalMillis,
            eventLoopDelayP99Millis: steady.eventLoopDelayP99Millis,
            eventLoopDelayMaxMillis: steady.eventLoopDelayMaxMillis,
          },
        }
      : {}),
  };
}

import type { ScaleBenchResult } from '../src/scale-bench';
import { buildPhase } from '../src/scale-phase';
import { formatScaleReport, machineFloorLine, scaleReportJson } from '../src/scale-report';
import type { MachineFloorSnapshot } from '../src/scale-floor-protocol';
import type { WorkerSnapshot } from '../src/scale-worker-protocol';

const workerSnapshot: WorkerSnapshot = {
  intervalMillis: 90_000,
  held: 1_000,
  rssMb: 140,
  rssPeakMb: 195,
  heapUsedMb: 30,
  heapTotalMb: 40,
  eventLoopDelayP99Millis: 25.3,
  eventLoopDelayMaxMillis: 61.2,
  cpuPercent: 14.7,
  kinesisCalls: { GetRecords: 9_000 },
  errors: 0,
  leasesAcquired: 1_000,
  leasesLost: 0,
  steady: {
    intervalMillis: 60_000,
    eventLoopDelayP99Millis: 23.1,
    eventLoopDelayMaxMillis: 40.4,
    cpuPercent: 12,
    rssMb: 140,
    heapUsedMb: 30,
    rssPeakMb: 150,
    kinesisCalls: { GetRecords: 6_000 },
    storeCalls: {},
  },
};

const phase = (number: number, machineFloor: MachineFloorSnapshot | undefined) =>
  buildPhase({
    phase: number,
    workerIds: ['worker-1'],
    millis: 90_000,
    fairShare: { share: 1_000, min: 950, max: 1_050, reachedAfterMillis: 3_000, limitMillis: 89_000 },
    snapshots: [workerSnapshot],
    held: [1_000],
    leaseStore: { kind: 'redis-commandstats', totalCalls: 0, totalPerSecond: 0, commands: [] },
    machineFloor,
  });

const summary = (phases: ScaleBenchResult['phases']): ScaleBenchResult => ({
  options: {
    shards: 1_000,
    workers: phases.length,
    backend: 'redis',
    stealing: false,
    phaseSeconds: 90,
    rate: 100,
    drainSeconds: 30,
    maxSeconds: 400,
    engineOnly: false,
    json: false,
    sdkGetRecords: false,
  },
  kinesis: 'kinesalite',
  setupMillis: 20_000,
  phases,
  workers: [{ workerId: 'worker-1', startMillis: 2_000, heldAtStart: 1_000, shutdownMillis: 500, failure: null, stderr: [] }],
  delivery: null,
  aborted: null,
  totalMillis: 150_000,
});

describe('scale report: machine floor', () => {
  const withSteady: MachineFloorSnapshot = {
    intervalMillis: 90_000,
    eventLoopDelayP99Millis: 19.46,
    eventLoopDelayMaxMillis: 33.21,
    steady: { intervalMillis: 60_000, eventLoopDelayP99Millis: 18.02, eventLoopDelayMaxMillis: 22.5 },
  };

  it("prints the idle process's ELD per phase, with its steady part, after the workers' ELD", () => {
    const text = formatScaleReport(
      summary([phase(1, withSteady), phase(2, { intervalMillis: 90_000, eventLoopDelayP99Millis: 10.1, eventLoopDelayMaxMillis: 10.9 })]),
    );
    const lines = text.split('\n');
    const floorLines = lines.filter((line) => line.includes('machine floor'));
    expect(floorLines).toEqual([
      '  machine floor (idle Node process, same ELD measure): ELD p99 19.5 ms, max 33.2 ms; steady (60.0 s) p99 18.0 ms, max 22.5 ms',
      '  machine floor (idle Node process, same ELD measure): ELD p99 10.1 ms, max 10.9 ms; steady: none',
    ]);
    // Each phase's floor line comes after that phase's worker and steady tables (ELD p99 / max columns).
    const phase2 = lines.indexOf('phase 2: 1 worker(s), worker-1 joined, 90.0 s');
    expect(lines.indexOf(floorLines[0]!)).toBeGreaterThan(lines.findIndex((line) => line.includes('ELD p99')));
    expect(lines.indexOf(floorLines[0]!)).toBeLessThan(phase2);
    expect(lines.indexOf(floorLines[1]!)).toBeGreaterThan(phase2);
  });

  it('says so when the probe did not answer (null), and the JSON summary carries the figures or null', () => {
    const result = summary([phase(1, withSteady), phase(2, undefined)]);
    expect(machineFloorLine(result.phases[1]!)).toBe(
      '  machine floor (idle Node process, same ELD measure): none (the probe did not answer the snapshot, or did not start)',
    );
    expect(formatScaleReport(result)).toContain('none (the probe did not answer the snapshot, or did not start)');
    const json = JSON.parse(scaleReportJson(result)) as { phases: { machineFloor: unknown }[] };
    expect(json.phases.map((p) => p.machineFloor)).toEqual([
      {
        intervalMillis: 90_000,
        eventLoopDelayP99Millis: 19.5,
        eventLoopDelayMaxMillis: 33.2,
        steady: { intervalMillis: 60_000, eventLoopDelayP99Millis: 18, eventLoopDelayMaxMillis: 22.5 },
      },
      null,
    ]);
  });
});

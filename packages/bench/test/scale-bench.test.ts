import { runScaleBench } from '../src/scale-bench';
import { formatScaleReport, scaleReportJson } from '../src/scale-report';

// A small run of the real benchmark (kinesalite and worker child processes, redis-server), so the script cannot rot:
// 8 shards, 2 workers joining 4 s apart, a producer, and the delivery check.
describe('runScaleBench (small configuration)', () => {
  it('reports every phase with its figures, and delivers every produced record', async () => {
    const lines: string[] = [];
    const result = await runScaleBench(
      {
        shards: 8,
        workers: 2,
        backend: 'redis',
        stealing: false,
        phaseSeconds: 4,
        rate: 20,
        drainSeconds: 15,
        maxSeconds: 120,
        engineOnly: false,
        json: true,
        sdkGetRecords: false,
      },
      (line) => lines.push(line),
    );
    expect(result.aborted).toBeNull();
    expect(result.kinesis).toBe('kinesalite');
    expect(result.phases.map((p) => p.workers)).toEqual([1, 2]);
    const [first, second] = result.phases;
    // Phase 1: one worker takes every lease at start().
    expect(first!.fairShare).toMatchObject({ share: 8, min: 7, max: 9 });
    expect(first!.fairShare.reachedAfterMillis).not.toBeNull();
    expect(first!.leaseStore.kind).toBe('redis-commandstats');
    expect(first!.leaseStore.totalCalls).toBeGreaterThan(0);
    expect(first!.kinesis.operations.map((o) => o.operation)).toContain('GetRecords');
    expect(second!.workerFigures.map((w) => w.workerId)).toEqual(['worker-1', 'worker-2']);
    expect(second!.workerFigures.reduce((sum, w) => sum + w.held, 0)).toBe(8);
    for (const figures of second!.workerFigures) {
      expect(figures.answered).toBe(true);
      expect(figures.rssMb).toBeGreaterThan(0);
      expect(figures.rssPeakMb).toBeGreaterThanOrEqual(figures.rssMb!);
      expect(figures.heapUsedMb).toBeGreaterThan(0);
      expect(figures.eventLoopDelayMaxMillis).toBeGreaterThanOrEqual(figures.eventLoopDelayP99Millis!);
      expect(figures.cpuPercent).toBeGreaterThan(0);
    }
    // The machine floor (an idle Node process, same monitorEventLoopDelay) answered every phase. Node records the whole
    // 10 ms timer interval, so even an idle process's p99 is at least the resolution.
    for (const phase of result.phases) {
      const floor = phase.machineFloor;
      expect(floor).not.toBeNull();
      expect(Number.isFinite(floor!.eventLoopDelayP99Millis)).toBe(true);
      expect(floor!.eventLoopDelayP99Millis).toBeGreaterThanOrEqual(10);
      expect(floor!.eventLoopDelayMaxMillis).toBeGreaterThanOrEqual(floor!.eventLoopDelayP99Millis);
      expect(floor!.intervalMillis).toBeGreaterThan(0);
    }
    expect(result.workers.map((w) => w.failure)).toEqual([null, null]);
    expect(result.workers.every((w) => w.shutdownMillis !== null)).toBe(true);
    expect(result.delivery!.produced).toBeGreaterThan(20);
    expect(result.delivery).toMatchObject({ lost: 0, unknown: 0, duplicatesAfterCheckpoint: 0 });
    expect(result.delivery!.delivered).toBe(result.delivery!.produced);
    expect(lines.some((line) => line.startsWith('phase 2 (2 worker(s))'))).toBe(true);

    const text = formatScaleReport(result);
    expect(text).toMatch(/first worker holds every lease: reached \d+ ms after start\(\)/);
    expect(text).toMatch(/fair share \(each worker 3\.\.5 of 4\.0\): (NOT reached within [\d.]+ s|reached \d+ ms after start\(\))/);
    expect(text.match(/^ {2}machine floor \(idle Node process, same ELD measure\): ELD p99 [\d.]+ ms, max [\d.]+ ms; /gm)).toHaveLength(2);
    expect(text).toMatch(/delivery: produced \d+, delivered \d+, lost \(not delivered by the end\) 0,/);
    const json = JSON.parse(scaleReportJson(result)) as {
      phases: { machineFloor: { eventLoopDelayP99Millis: number } | null }[];
      delivery: { lost: number };
    };
    expect(json.phases).toHaveLength(2);
    for (const phase of json.phases) expect(phase.machineFloor?.eventLoopDelayP99Millis).toBeGreaterThanOrEqual(10);
    expect(json.delivery.lost).toBe(0);
  });
});

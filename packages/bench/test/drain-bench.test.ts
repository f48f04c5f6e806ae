import { runDrainBench } from '../src/drain-bench';
import { drainReportJson, formatDrainReport } from '../src/report';

// A small run of the real benchmark (kinesalite child process, redis-server, Worker with RedisCheckpoint), so the
// script cannot rot: every record is read by both sides, several paced GetRecords calls per shard.
describe('runDrainBench (small configuration)', () => {
  it('drains the stream with both sides, reports rates, ratio and cold start', async () => {
    const lines: string[] = [];
    const result = await runDrainBench({ records: 400, shards: 2, recordBytes: 64, runs: 1, warmup: 1, maxRecords: 100, json: false }, (line) =>
      lines.push(line),
    );
    expect(result.preload).toMatchObject({ records: 400, bytes: 400 * 64 });
    expect(result.runs).toHaveLength(1);
    const [run] = result.runs;
    expect(run!.plain).toMatchObject({ records: 400, bytes: 400 * 64 });
    expect(run!.plain.getRecordsCalls).toBeGreaterThanOrEqual(4); // 200 records per shard, 100 per call
    expect(run!.plain.millis).toBeGreaterThanOrEqual(200); // the second call of a shard waits for the pacer
    expect(run!.worker).toMatchObject({ records: 400, bytes: 400 * 64 });
    expect(run!.worker.batches).toBeGreaterThanOrEqual(4);
    expect(run!.worker.coldStartMillis).toBeGreaterThan(0);
    expect(run!.worker.coldStartMillis).toBeLessThanOrEqual(run!.worker.millis);
    expect(result.median.ratio).toBeCloseTo(run!.worker.recordsPerSecond / run!.plain.recordsPerSecond, 6);
    expect(result.coldStart.runsMillis).toHaveLength(1);
    expect(result.targetMet).toBe(result.median.ratio >= 0.9);
    expect(lines.some((line) => line.startsWith('run 1/1'))).toBe(true);
    expect(lines.some((line) => line.startsWith('warm-up 1/1') && line.endsWith('(not counted)'))).toBe(true);

    const text = formatDrainReport(result);
    expect(text).toMatch(/worker\/plain \(ratio of the medians\): \d+\.\d\d - target >= 0\.90: (met|NOT met)/);
    expect(text).toMatch(/at most 5 GetRecords\/s per shard/);
    expect(text).toMatch(/cold start \(start\(\) -> first record delivered\)/);
    const json = JSON.parse(drainReportJson(result)) as { median: { ratio: number }; runs: unknown[] };
    expect(json.runs).toHaveLength(1);
    expect(typeof json.median.ratio).toBe('number');
  });
});

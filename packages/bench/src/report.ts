import type { DrainBenchResult } from './drain-bench';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => `${Math.round(n)} ms`;
const pad = (text: string, width: number): string => text.padStart(width);

/** The human-readable report of `pnpm bench:drain`. */
export function formatDrainReport(result: DrainBenchResult): string {
  const { options, preload, runs, median, coldStart } = result;
  const lines = [
    `bench:drain - ${options.shards}-shard kinesalite stream (child process), ${int(options.records)} records of ${options.recordBytes} B, ` +
      `GetRecords Limit ${options.maxRecords}`,
    `preload: ${int(preload.records)} records in ${ms(preload.millis)} (${int(preload.recordsPerSecond)} rec/s, PutRecords 500 per call)`,
    'worker:  one Worker, Redis lease store (redis-server), TRIM_HORIZON, processor counts records and checkpoints after every batch;',
    '         timed from start() until every record was delivered',
    `runs:    ${options.warmup} unmeasured warm-up drain(s) per side, then ${options.runs} measured runs per side, alternating which side goes first`,
    'plain:   GetShardIterator(TRIM_HORIZON) + GetRecords loop per shard, all shards in parallel, at most 5 GetRecords/s per shard',
    '         (the limit the worker keeps): a fair baseline, not an unthrottled one; it only counts records',
    '',
    `${'run'.padEnd(8)}${pad('plain rec/s', 13)}${pad('plain ms', 10)}${pad('worker rec/s', 14)}${pad('worker ms', 11)}` +
      `${pad('worker/plain', 14)}${pad('cold start', 12)}${pad('start()', 10)}${pad('batches', 9)}`,
  ];
  for (const r of runs) {
    lines.push(
      `${`${r.run} (${r.order === 'plain-first' ? 'P>W' : 'W>P'})`.padEnd(8)}${pad(int(r.plain.recordsPerSecond), 13)}${pad(int(r.plain.millis), 10)}` +
        `${pad(int(r.worker.recordsPerSecond), 14)}${pad(int(r.worker.millis), 11)}${pad(r.ratio.toFixed(2), 14)}` +
        `${pad(ms(r.worker.coldStartMillis), 12)}${pad(ms(r.worker.startResolvedMillis), 10)}${pad(String(r.worker.batches), 9)}`,
    );
  }
  lines.push(
    `${'median'.padEnd(8)}${pad(int(median.plainRecordsPerSecond), 13)}${pad('', 10)}${pad(int(median.workerRecordsPerSecond), 14)}${pad('', 11)}` +
      `${pad(median.ratio.toFixed(2), 14)}${pad(ms(median.workerColdStartMillis), 12)}${pad(ms(median.workerStartResolvedMillis), 10)}`,
    '',
    `worker/plain (ratio of the medians): ${median.ratio.toFixed(2)} - target >= ${result.targetRatio.toFixed(2)}: ${result.targetMet ? 'met' : 'NOT met'}`,
    `worker/plain per run: ${runs.map((r) => r.ratio.toFixed(2)).join(', ')} (median ${median.ratioOfRuns.toFixed(2)})`,
    `cold start (start() -> first record delivered), stream with one record per shard: median ${ms(coldStart.medianMillis)} ` +
      `(runs: ${coldStart.runsMillis.map((m) => Math.round(m)).join(', ')} ms)`,
    `cold start in the drain runs above includes reading a first batch of up to ${options.maxRecords} records; ` +
      `start() = start() called -> resolved (leases taken)`,
    '(P>W: plain loop ran first in that run, W>P: worker first)',
  );
  return `${lines.join('\n')}\n`;
}

/** The JSON line of `pnpm bench:drain --json` (rates and times rounded). */
export function drainReportJson(result: DrainBenchResult): string {
  const r1 = (n: number): number => Math.round(n * 10) / 10;
  return JSON.stringify({
    ...result,
    runs: result.runs.map((r) => ({
      ...r,
      plain: { ...r.plain, millis: r1(r.plain.millis), recordsPerSecond: Math.round(r.plain.recordsPerSecond) },
      worker: {
        ...r.worker,
        millis: r1(r.worker.millis),
        coldStartMillis: r1(r.worker.coldStartMillis),
        startResolvedMillis: r1(r.worker.startResolvedMillis),
        recordsPerSecond: Math.round(r.worker.recordsPerSecond),
      },
      ratio: Math.round(r.ratio * 1000) / 1000,
    })),
    preload: { ...result.preload, millis: r1(result.preload.millis), recordsPerSecond: Math.round(result.preload.recordsPerSecond) },
    median: {
      plainRecordsPerSecond: Math.round(result.median.plainRecordsPerSecond),
      workerRecordsPerSecond: Math.round(result.median.workerRecordsPerSecond),
      ratio: Math.round(result.median.ratio * 1000) / 1000,
      ratioOfRuns: Math.round(result.median.ratioOfRuns * 1000) / 1000,
      workerColdStartMillis: r1(result.median.workerColdStartMillis),
      workerStartResolvedMillis: r1(result.median.workerStartResolvedMillis),
    },
    coldStart: { runsMillis: result.coldStart.runsMillis.map(r1), medianMillis: r1(result.coldStart.medianMillis) },
  });
}

import type { ScaleBenchResult } from './scale-bench';
import type { ScalePhaseResult } from './scale-phase';

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const one = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(1));
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const TOP = 6;

function rates(entries: readonly { name: string; perSecond: number; extra?: string }[]): string {
  if (entries.length === 0) return 'none';
  const shown = entries.slice(0, TOP).map((e) => `${e.name} ${one(e.perSecond)}/s${e.extra ?? ''}`);
  return entries.length > TOP ? `${shown.join(', ')}, +${entries.length - TOP} more` : shown.join(', ');
}

function fairLine(phase: ScalePhaseResult): string {
  const f = phase.fairShare;
  const what = phase.workers === 1 ? 'first worker holds every lease' : `fair share (each worker ${f.min}..${f.max} of ${f.share.toFixed(1)})`;
  const outcome =
    f.reachedAfterMillis === null ? `NOT reached within ${seconds(f.limitMillis)}` : `reached ${int(f.reachedAfterMillis)} ms after start()`;
  return `  ${what}: ${outcome}`;
}

function storeLine(phase: ScalePhaseResult): string[] {
  const store = phase.leaseStore;
  if (store.kind === 'redis-commandstats') {
    return [
      `  lease store (redis INFO commandstats): ${one(store.totalPerSecond)} commands/s (${int(store.totalCalls)}): ` +
        rates(store.commands.map((c) => ({ name: c.command, perSecond: c.perSecond, extra: ` ${Math.round(c.usecPerCall)} µs` }))),
    ];
  }
  const capacity =
    store.consumedCapacityUnits === null
      ? 'ConsumedCapacity not returned'
      : `ConsumedCapacity ${one(store.consumedCapacityUnits)} units (${one(store.consumedCapacityPerSecond ?? 0)}/s)`;
  return [
    `  lease store (DynamoDB requests counted in the workers): ${one(store.totalPerSecond)} requests/s (${int(store.totalCalls)}, ` +
      `${store.failures} failed): ${rates(store.operations.map((o) => ({ name: o.operation, perSecond: o.perSecond })))}`,
    `  ${capacity}`,
  ];
}

/** Lease-store reads (client side), with the steady rate's ratio to phase 1's (one worker). */
function readsLine(phase: ScalePhaseResult, first: ScalePhaseResult | undefined): string {
  const r = phase.storeReads;
  const base = first?.storeReads.steadyPerSecond;
  const steady =
    r.steadyPerSecond === null
      ? 'steady: none'
      : `steady ${one(r.steadyPerSecond)}/s` + (base && phase !== first ? ` (${(r.steadyPerSecond / base).toFixed(2)}x phase 1)` : '');
  const capacity = r.steadyReadCapacityPerSecond === null ? '' : `, steady read capacity ${one(r.steadyReadCapacityPerSecond)} units/s`;
  return `  lease-store reads sent by the workers: ${one(r.perSecond)}/s over the phase, ${steady}${capacity}`;
}

function workerTable(phase: ScalePhaseResult): string[] {
  const head = `  ${'worker'.padEnd(10)}${'held'.padStart(7)}${'RSS MB'.padStart(9)}${'peak'.padStart(7)}${'heap MB'.padStart(9)}${'ELD p99'.padStart(9)}${'ELD max'.padStart(9)}${'CPU %'.padStart(8)}${'errors'.padStart(8)}${'taken'.padStart(7)}${'lost'.padStart(6)}`;
  const rows = phase.workerFigures.map((w) =>
    w.answered
      ? `  ${w.workerId.padEnd(10)}${String(w.held).padStart(7)}${one(w.rssMb).padStart(9)}${one(w.rssPeakMb ?? 0).padStart(7)}${one(w.heapUsedMb).padStart(9)}` +
        `${one(w.eventLoopDelayP99Millis).padStart(9)}${one(w.eventLoopDelayMaxMillis).padStart(9)}${one(w.cpuPercent).padStart(8)}` +
        `${String(w.errors ?? 0).padStart(8)}${String(w.leasesAcquired ?? 0).padStart(7)}${String(w.leasesLost ?? 0).padStart(6)}` +
        (w.firstError ? `  first error: ${w.firstError.slice(0, 120)}` : '')
      : `  ${w.workerId.padEnd(10)}${String(w.held).padStart(7)}  (no snapshot answer within the timeout: overloaded or gone)`,
  );
  return [head, ...rows];
}

/**
 * The machine floor of the phase: event-loop delay of an idle Node process over the phase and its steady part, to
 * read the workers' ELD against (what the OS scheduler alone costs on the machine meanwhile).
 */
export function machineFloorLine(phase: ScalePhaseResult): string {
  const f = phase.machineFloor;
  const what = '  machine floor (idle Node process, same ELD measure):';
  if (f === null) return `${what} none (the probe did not answer the snapshot, or did not start)`;
  const steady =
    f.steady === undefined
      ? 'steady: none'
      : `steady (${seconds(f.steady.intervalMillis)}) p99 ${one(f.steady.eventLoopDelayP99Millis)} ms, max ${one(f.steady.eventLoopDelayMaxMillis)} ms`;
  return `${what} ELD p99 ${one(f.eventLoopDelayP99Millis)} ms, max ${one(f.eventLoopDelayMaxMillis)} ms; ${steady}`;
}

/** Per worker: the steady part of the phase (fair share + settle time to the end), when the phase had one. */
function steadyTable(phase: ScalePhaseResult): string[] {
  const rows = phase.workerFigures.filter((w) => w.steady !== undefined);
  if (rows.length === 0) return ['  steady part: none (fair share not reached, or too late in the phase)'];
  const head = `  steady (${seconds(rows[0]!.steady!.intervalMillis)} from fair share + 5 s to the end)`.padEnd(58);
  return [
    `${head}${'RSS MB'.padStart(9)}${'peak'.padStart(7)}${'heap MB'.padStart(9)}${'ELD p99'.padStart(9)}${'ELD max'.padStart(9)}${'CPU %'.padStart(8)}  Kinesis calls/s`,
    ...rows.map((w) => {
      const st = w.steady!;
      const calls = Object.entries(st.kinesisCalls)
        .sort((a, b) => b[1] - a[1])
        .map(([op, n]) => `${op.replace(/Command$/, '')} ${one(st.intervalMillis > 0 ? (n * 1000) / st.intervalMillis : 0)}`)
        .join(', ');
      return (
        `  ${w.workerId}`.padEnd(58) +
        `${one(st.rssMb).padStart(9)}${one(st.rssPeakMb).padStart(7)}${one(st.heapUsedMb).padStart(9)}${one(st.eventLoopDelayP99Millis).padStart(9)}` +
        `${one(st.eventLoopDelayMaxMillis).padStart(9)}${one(st.cpuPercent).padStart(8)}  ${calls || 'none'}`
      );
    }),
  ];
}

/** The human-readable report of `pnpm bench:scale`. */
export function formatScaleReport(result: ScaleBenchResult): string {
  const o = result.options;
  const lines = [
    `bench:scale - ${int(o.shards)} shards (${result.kinesis === 'kinesalite' ? 'kinesalite, own process' : 'Kinesis stand-in, own process, empty GetRecords'}), ` +
      `lease store ${o.backend === 'redis' ? 'redis-server' : 'dynalite (own process)'}, ${o.workers} worker process(es) joining one every ${o.phaseSeconds} s, ` +
      `lease stealing ${o.stealing ? 'on' : 'off'}, producer ${o.rate} rec/s`,
    `setup ${seconds(result.setupMillis)}; total ${seconds(result.totalMillis)}; ELD = event-loop delay in ms (monitorEventLoopDelay); ` +
      'CPU % = process.cpuUsage over wall time (100 = one core); taken/lost = leases per phase',
  ];
  for (const phase of result.phases) {
    lines.push(
      '',
      `phase ${phase.phase}: ${phase.workers} worker(s), ${phase.joinedWorker} joined, ${seconds(phase.millis)}`,
      fairLine(phase),
      `  held at the end: ${phase.workerFigures.map((w) => w.held).join(' / ')}`,
      ...storeLine(phase),
      readsLine(phase, result.phases[0]),
      `  Kinesis calls (all workers): ${one(phase.kinesis.totalPerSecond)}/s: ${rates(phase.kinesis.operations.map((x) => ({ name: x.operation, perSecond: x.perSecond })))}`,
      ...workerTable(phase),
      `  workers' CPU together: ${one(phase.totalCpuPercent)} %`,
      ...steadyTable(phase),
      machineFloorLine(phase),
    );
  }
  lines.push('', 'workers:');
  for (const w of result.workers) {
    lines.push(
      `  ${w.workerId}: start() ${w.startMillis === null ? 'did not resolve' : `${int(w.startMillis)} ms (held ${w.heldAtStart})`}, ` +
        `shutdown ${w.shutdownMillis === null ? 'did not finish' : `${int(w.shutdownMillis)} ms`}` +
        (w.failure ? `, FAILED: ${w.failure}` : ''),
    );
    for (const line of w.stderr.slice(-3)) lines.push(`    stderr: ${line.slice(0, 200)}`);
  }
  const d = result.delivery;
  lines.push('');
  if (d) {
    lines.push(
      `delivery: produced ${int(d.produced)}, delivered ${int(d.delivered)}, lost (not delivered by the end) ${int(d.lost)}, duplicates ${int(d.duplicates)} ` +
        `(of already checkpointed records: ${int(d.duplicatesAfterCheckpoint)}), unknown ${int(d.unknown)}; ` +
        `puts rejected ${d.producer.rejected}, failed PutRecords calls ${d.producer.failedCalls}; drain waited ${seconds(d.drainMillis)}`,
    );
  } else {
    lines.push('delivery: not checked (engine-only: the stand-in holds no records)');
  }
  if (result.aborted) lines.push(`STOPPED EARLY: ${result.aborted}`);
  return `${lines.join('\n')}\n`;
}

/** The JSON summary of `pnpm bench:scale --json` (numbers rounded to 0.1). */
export function scaleReportJson(result: ScaleBenchResult): string {
  return JSON.stringify(result, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 10) / 10 : value,
  );
}

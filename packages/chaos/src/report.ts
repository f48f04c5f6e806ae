/** The report of a chaos run: JSON (machine-readable) and a short markdown table. */
import type { ChaosOptions } from './args';
import type { InvariantResult } from './invariants';
import type { AppliedFault } from './log-lines';
import type { TimeSummary } from './run-stats';

export interface ChaosReport {
  seed: number;
  backend: string;
  quick: boolean;
  passed: boolean;
  startedAt: string;
  durationSeconds: number;
  setup: {
    workers: number;
    shardsAtStart: number;
    shardsAtEnd: { total: number; closed: number };
    windowSeconds: number;
    failoverMillis: number;
    refreshMillis: number;
    replay: string;
  };
  records: {
    produced: number;
    delivered: number;
    deliveries: number;
    duplicated: number;
    lost: number;
    aggregates: number;
    aggregatedRecords: number;
    processorFailures: number;
  };
  faults: {
    /** Faults the coordinator applied, by kind (Kinesis windows counted once each). */
    applied: Record<string, number>;
    /** Kinesis errors the workers' SDK middleware raised, by kind. */
    injectedKinesisErrors: Record<string, number>;
    /** Faults that could not be applied, with the reason. */
    skipped: string[];
    list: Array<AppliedFault & { atSeconds: number }>;
  };
  invariants: InvariantResult[];
  /** Failover (from the fault to another incarnation's take) and hand-off (from the steal's release to the take). */
  failover: { kill: TimeSummary; killCalm: TimeSummary; pause: TimeSummary; handoff: TimeSummary };
  leaseStore: {
    operations: number;
    failedOperations: number;
    byMethod: Record<string, number>;
    /** Operations / average number of shards / minutes the workers ran. */
    opsPerShardPerMinute: number;
  };
  workers: {
    incarnations: number;
    /** Worker processes that exited on their own (crashes), as `pid: code`. */
    unexpectedExits: string[];
    /** Workers that did not stop within the grace period at the end and were killed. */
    forcedStops: number;
  };
  drain: { complete: boolean; millis: number };
  /** Where the logs of this run are. */
  logDir: string;
  options: Omit<ChaosOptions, 'reportDir' | 'check'>;
}

function ms(value: number | null): string {
  return value === null ? '-' : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value} ms`;
}

function times(summary: TimeSummary): string {
  if (summary.samples === 0) return '-';
  return `${ms(summary.medianMs)} median, ${ms(summary.minMs)}-${ms(summary.maxMs)} (${summary.samples})`;
}

/** A short markdown summary: faults, records, invariants, failover and hand-off times, lease-store load. */
export function renderMarkdown(report: ChaosReport): string {
  const r = report.records;
  const faultCells = Object.entries(report.faults.applied)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const injected = Object.entries(report.faults.injectedKinesisErrors)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const lines = [
    `### Chaos run: ${report.backend}${report.quick ? ' (quick)' : ''}, seed ${report.seed} - ${report.passed ? 'PASSED' : 'FAILED'}`,
    '',
    `${report.setup.workers} worker processes, ${report.setup.shardsAtStart} shards at the start (${report.setup.shardsAtEnd.total} at the end, ${report.setup.shardsAtEnd.closed} closed), ` +
      `failover ${report.setup.failoverMillis} ms, ${report.durationSeconds.toFixed(0)} s in all. Replay: \`${report.setup.replay}\``,
    '',
    '| | |',
    '| --- | --- |',
    `| faults applied | ${faultCells || '-'} |`,
    `| Kinesis errors injected | ${injected || '-'} |`,
    `| processor failures (batch thrown back) | ${r.processorFailures} |`,
    `| records produced | ${r.produced} (${r.aggregatedRecords} in ${r.aggregates} KPL aggregates) |`,
    `| records delivered | ${r.delivered} distinct, ${r.deliveries} deliveries |`,
    `| duplicated | ${r.duplicated} |`,
    `| lost | ${r.lost} |`,
    `| failover after SIGKILL | ${times(report.failover.kill)}; without a lease-store fault around it: ${times(report.failover.killCalm)} |`,
    `| failover after SIGSTOP | ${times(report.failover.pause)} |`,
    `| hand-off (lease stealing) | ${times(report.failover.handoff)} |`,
    `| lease-store operations | ${report.leaseStore.operations} (${report.leaseStore.failedOperations} failed), ${report.leaseStore.opsPerShardPerMinute.toFixed(1)} per shard per minute |`,
    `| worker incarnations | ${report.workers.incarnations}; crashes ${report.workers.unexpectedExits.length}; forced stops ${report.workers.forcedStops} |`,
    '',
    '| invariant | result | checked |',
    '| --- | --- | --- |',
    ...report.invariants.map((i) => `| ${i.name} | ${i.passed ? 'pass' : `**FAIL** (${i.violationCount})`} | ${i.checked} |`),
  ];
  const failures = report.invariants.filter((i) => !i.passed);
  if (failures.length > 0) {
    lines.push('', 'Violations (first of each):');
    for (const f of failures) for (const v of f.violations.slice(0, 5)) lines.push(`- ${f.name}: ${v}`);
  }
  if (report.faults.skipped.length > 0) {
    lines.push('', 'Faults not applied:');
    for (const s of report.faults.skipped) lines.push(`- ${s}`);
  }
  return `${lines.join('\n')}\n`;
}

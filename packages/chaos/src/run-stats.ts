/**
 * Figures of a run computed from its logs: failover and hand-off times, lease-store operations, injected Kinesis
 * faults, duplicates.
 */
import type { AppliedFault, InjectedLine, OpsLine } from './log-lines';
import type { RunModel, Tenure } from './invariants';

export interface TimeSummary {
  samples: number;
  minMs: number | null;
  medianMs: number | null;
  p90Ms: number | null;
  maxMs: number | null;
}

export function summarize(values: number[]): TimeSummary {
  if (values.length === 0) return { samples: 0, minMs: null, medianMs: null, p90Ms: null, maxMs: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return { samples: sorted.length, minMs: Math.round(sorted[0]!), medianMs: at(0.5), p90Ms: at(0.9), maxMs: Math.round(sorted[sorted.length - 1]!) };
}

/** The first tenure on `shard` of another incarnation than `inc` that started after `after`. */
function nextTenure(model: RunModel, shard: string, inc: string, after: number): Tenure | undefined {
  return (model.tenuresByShard.get(shard) ?? []).find((t) => t.inc !== inc && t.start > after);
}

/** Tenures of `inc` open at time `at`: started before it, not shut down before it. */
function openTenures(model: RunModel, inc: string, at: number): Tenure[] {
  return model.tenures.filter((t) => t.inc === inc && t.start <= at && (t.shutdown === undefined || t.shutdown.at > at));
}

const STORE_FAULTS = new Set(['store-partition', 'store-reset', 'store-latency', 'redis-restart']);

export interface FailoverTimes {
  kill: number[];
  pause: number[];
  /** SIGKILL failovers with no lease-store fault between one failover time before the kill and the take. */
  killCalm: number[];
}

/**
 * Failover: for each SIGKILL or SIGSTOP, the time from the fault to the moment another incarnation took each shard
 * the victim was processing. A lease-store fault around it delays the take (the victim's last renewal may have been
 * long before the kill, the takers' reads may fail), so kills without one are also listed apart.
 */
export function failoverTimes(model: RunModel, faults: AppliedFault[], failoverMillis: number): FailoverTimes {
  const out: FailoverTimes = { kill: [], pause: [], killCalm: [] };
  const storeFaults = faults.filter((f) => STORE_FAULTS.has(f.kind));
  for (const fault of faults) {
    if ((fault.kind !== 'kill' && fault.kind !== 'pause') || !fault.inc) continue;
    for (const tenure of openTenures(model, fault.inc, fault.at)) {
      const next = nextTenure(model, tenure.shard, fault.inc, fault.at);
      if (!next) continue;
      out[fault.kind].push(next.start - fault.at);
      const disturbed = storeFaults.some((s) => s.at < next.start && (s.endAt ?? s.at) > fault.at - failoverMillis);
      if (fault.kind === 'kill' && !disturbed) out.killCalm.push(next.start - fault.at);
    }
  }
  return out;
}

/** Hand-off: from a lease handed over on a steal (leaseLost 'handoff') to the claimer's take. */
export function handoffTimes(model: RunModel): number[] {
  const out: number[] = [];
  for (const e of model.events) {
    if (e.name !== 'leaseLost' || e.reason !== 'handoff' || !e.shard) continue;
    const next = nextTenure(model, e.shard, e.inc, e.at);
    if (next) out.push(next.start - e.at);
  }
  return out;
}

/** Sum over incarnations of the last cumulative line of each (ops or injected). */
export function lastCounts(lines: Array<OpsLine | InjectedLine>): Record<string, number> {
  const last = new Map<string, Record<string, number>>();
  for (const line of lines) last.set(line.inc, line.t === 'ops' ? line.ops : line.counts);
  const total: Record<string, number> = {};
  for (const counts of last.values()) for (const [k, v] of Object.entries(counts)) total[k] = (total[k] ?? 0) + v;
  return total;
}

/** Deliveries of accepted batches, distinct records, and duplicates (deliveries beyond the first). */
export function deliveryCounts(model: RunModel): { deliveries: number; distinct: number; duplicates: number; failedCalls: number } {
  let deliveries = 0;
  let failedCalls = 0;
  const distinct = new Set<number>();
  for (const tenure of model.tenures) {
    for (const batch of tenure.batches) {
      if (batch.fail) {
        failedCalls++;
        continue;
      }
      deliveries += batch.recs.length;
      for (const [id] of batch.recs) distinct.add(id);
    }
  }
  return { deliveries, distinct: distinct.size, duplicates: deliveries - distinct.size, failedCalls };
}

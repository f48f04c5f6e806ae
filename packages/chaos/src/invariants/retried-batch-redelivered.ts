/**
 * A processor that throws gets the same batch again: within a tenure, the call after a failed one delivers exactly
 * the same records (unless the tenure ended first, e.g. the lease was lost or the worker shut down).
 */
import { Findings, rel, type Invariant } from './invariant';
import type { RunModel } from './run-model';

export const retriedBatchRedelivered: Invariant = {
  name: 'retried-batch-redelivered',
  title: 'after processRecords threw, the same tenure delivers the same batch again (or ends)',
  check(model: RunModel) {
    const findings = new Findings(this.name, this.title);
    for (const tenure of model.tenures) {
      tenure.batches.forEach((batch, i) => {
        if (!batch.fail) return;
        findings.checked++;
        const next = tenure.batches[i + 1];
        if (!next) return; // the tenure ended before the retry (lease lost, shutdown, process killed)
        const same = next.recs.length === batch.recs.length && next.recs.every((r, j) => r[0] === batch.recs[j]?.[0]);
        if (!same) {
          findings.violation(
            `${tenure.shard} ${tenure.id} ${rel(model, next.at)}: after a failed call with records ${describe(batch.recs)} the next call had ${describe(next.recs)}`,
          );
        }
      });
    }
    return findings.result();
  },
};

function describe(recs: Array<[number, string, number | null]>): string {
  if (recs.length === 0) return '[]';
  return `[${recs[0]?.[0]}..${recs[recs.length - 1]?.[0]}] (${recs.length})`;
}

/**
 * Duplicates only after the last successful checkpoint: when a tenure starts, it resumes at (not before) the latest
 * checkpoint any tenure of that shard had successfully written before it started, so a record delivered again is
 * always one that no successful checkpoint covered before the fault (kill, pause, lost lease, outage) that moved the
 * shard. Checked two ways: the position each processor was initialized with is never before that checkpoint, and
 * no record covered by it is delivered again.
 */
import type { CheckpointPosition } from '../log-lines';
import { compareCheckpoints, formatPosition, isCovered, maxCheckpoint } from '../positions';
import { Findings, rel, type Invariant } from './invariant';
import type { RunModel } from './run-model';

export const duplicatesAfterCheckpoint: Invariant = {
  name: 'duplicates-after-checkpoint',
  title: 'a tenure resumes at the last successful checkpoint; only records after it are delivered again',
  check(model: RunModel) {
    const findings = new Findings(this.name, this.title);
    for (const [shard, tenures] of model.tenuresByShard) {
      const successes = tenures.flatMap((t) => t.checkpoints.filter((c) => c.ok)).sort((a, b) => a.at - b.at);
      for (const tenure of tenures) {
        findings.checked++;
        let committed: CheckpointPosition | 'SHARD_END' | null = null;
        for (const cp of successes) {
          if (cp.at >= tenure.start) break;
          committed = maxCheckpoint(committed, cp.pos);
        }
        if (committed === null) continue;
        const pos = tenure.init?.pos ?? null;
        if (tenure.init && (pos === null || compareCheckpoints(pos, committed) < 0)) {
          findings.violation(
            `${shard} ${tenure.id} at ${rel(model, tenure.start)}: initialized after ${formatPosition(pos)}, before the last successful checkpoint ${formatPosition(committed)}`,
          );
        }
        for (const batch of tenure.batches) {
          if (batch.fail) continue;
          const again = batch.recs.filter(([, seq, sub]) => isCovered({ seq, sub }, committed));
          if (again.length > 0) {
            findings.violation(
              `${shard} ${tenure.id} ${rel(model, batch.at)}: delivered ${again.length} record(s) (first ${again[0]?.[0]}) already covered by the checkpoint ${formatPosition(committed)} written before the tenure started`,
            );
            break;
          }
        }
      }
    }
    return findings.result();
  },
};

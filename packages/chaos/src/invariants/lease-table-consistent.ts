/**
 * The lease table at the end of the run (after every worker shut down gracefully):
 * - every shard ListShards returns has a lease, whose parent ids include the shard's parents;
 * - no orphaned owner: a lease not at SHARD_END has no owner (graceful shutdown releases them all), and a SHARD_END
 *   lease (kept by the worker that ended it) names one of the run's workers;
 * - every open shard's checkpoint covers the last record produced to it (everything was processed and checkpointed);
 * - retention rule: the engine never deletes a lease while its shard is listed; a lease of a shard ListShards no
 *   longer returns (trimmed after the stream's retention period) is allowed only at SHARD_END and for at most
 *   `retentionMillis` (the run's data has `retentionMillis` = the stream retention, 24 h) after the run started.
 */
import { formatPosition, isCovered } from '../positions';
import { Findings, type Invariant } from './invariant';
import type { RunModel } from './run-model';

export const leaseTableConsistent: Invariant = {
  name: 'lease-table-consistent',
  title: 'final lease table: a lease per shard, no orphaned owners, checkpoints at the tip, no stale leases of deleted shards',
  check(model: RunModel) {
    const findings = new Findings(this.name, this.title);
    const { finalLeases, finalShards, workerIds, retentionMillis, checkedAt, startedAt } = model.data;
    const leases = new Map(finalLeases.map((l) => [l.shard, l]));
    const listed = new Map(finalShards.map((s) => [s.shard, s]));
    const workers = new Set(workerIds);
    for (const shard of finalShards) {
      findings.checked++;
      const lease = leases.get(shard.shard);
      if (!lease) {
        findings.violation(`${shard.shard} has no lease`);
        continue;
      }
      const missing = shard.parents.filter((p) => !lease.parents.includes(p));
      if (missing.length > 0) findings.violation(`${shard.shard}: lease parents [${lease.parents.join(', ')}] lack ${missing.join(', ')}`);
      if (shard.endingSeq !== undefined) continue;
      const produced = model.producedByShard.get(shard.shard) ?? [];
      const last = produced[produced.length - 1];
      if (!last) continue;
      const checkpoint =
        lease.checkpoint === undefined
          ? null
          : lease.checkpoint === 'SHARD_END'
            ? ('SHARD_END' as const)
            : { seq: lease.checkpoint, sub: lease.sub ?? null };
      if (checkpoint === 'SHARD_END') {
        findings.violation(`${shard.shard} is open but its lease is at SHARD_END`);
      } else if (!isCovered(last, checkpoint)) {
        findings.violation(
          `${shard.shard}: final checkpoint ${formatPosition(checkpoint)} does not cover its last record ${last.id} (${formatPosition(last)})`,
        );
      }
    }
    for (const lease of finalLeases) {
      if (lease.owner !== undefined) {
        if (lease.checkpoint !== 'SHARD_END') {
          findings.violation(`${lease.shard}: still owned by ${lease.owner} after every worker shut down (orphaned owner)`);
        } else if (!workers.has(lease.owner)) {
          findings.violation(`${lease.shard}: SHARD_END lease owned by unknown worker ${lease.owner}`);
        }
      }
      if (listed.has(lease.shard)) continue;
      findings.checked++;
      if (lease.checkpoint !== 'SHARD_END') {
        findings.violation(`${lease.shard}: lease of a shard the stream does not list, not at SHARD_END`);
      } else if (checkedAt - startedAt > retentionMillis) {
        findings.violation(`${lease.shard}: lease of a deleted shard kept longer than the retention rule (${retentionMillis} ms)`);
      }
    }
    return findings.result();
  },
};

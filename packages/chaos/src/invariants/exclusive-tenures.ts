/**
 * No shard processed by two workers at once: once another worker incarnation could hold a shard's lease (its take
 * completed: the leaseAcquired event, or the init of its processor), no earlier tenure of another incarnation may
 * start a processRecords call on that shard. This also covers a worker paused with SIGSTOP that resumes after its
 * lease was taken: it must notice (its lease is no longer valid on its own monotonic clock) and deliver nothing more.
 *
 * A call that started before the take may still be running after it (the processor is not interrupted); that is
 * allowed, and its checkpoint must fail (checked by the lease store's conditional writes, seen in `duplicates`).
 */
import { Findings, rel, type Invariant } from './invariant';
import type { RunModel } from './run-model';

export const exclusiveTenures: Invariant = {
  name: 'exclusive-tenures',
  title: 'no delivery on a shard after another worker incarnation took its lease (paused workers included)',
  check(model: RunModel) {
    const findings = new Findings(this.name, this.title);
    for (const [shard, tenures] of model.tenuresByShard) {
      for (let i = 0; i < tenures.length; i++) {
        const earlier = tenures[i]!;
        findings.checked++;
        for (let j = i + 1; j < tenures.length; j++) {
          const later = tenures[j]!;
          if (later.inc === earlier.inc) continue;
          const late = earlier.batches.filter((b) => b.at > later.start);
          if (late.length === 0) continue;
          const first = late[0]!;
          findings.violation(
            `${shard}: ${earlier.id} delivered ${late.length} batch(es) from ${rel(model, first.at)} on, after ${later.id} took the lease at ${rel(model, later.start)}`,
          );
        }
      }
    }
    return findings.result();
  },
};

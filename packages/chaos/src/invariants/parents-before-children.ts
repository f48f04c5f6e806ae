/**
 * No child shard before all its parents: the first processRecords call on a child (of a split, or of a merge with
 * two parents) comes after every call on each parent and after each parent's SHARD_END checkpoint was written - that
 * is, after the shutdown(TERMINATE) call that wrote it began (the store may apply the write, and other workers see it,
 * long before the writer gets the answer when the store is slow). A parent whose SHARD_END write was not seen in the
 * logs (e.g. its worker was killed right after writing it) must at least be at SHARD_END in the final lease table.
 */
import { Findings, rel, type Invariant } from './invariant';
import type { RunModel } from './run-model';
import { shardEndWriteStarts } from './shard-end-times';

export const parentsBeforeChildren: Invariant = {
  name: 'parents-before-children',
  title: 'a child shard is processed only after all its parents were read to the end and checkpointed at SHARD_END',
  check(model: RunModel) {
    const findings = new Findings(this.name, this.title);
    const ends = shardEndWriteStarts(model);
    const finalLeases = new Map(model.data.finalLeases.map((l) => [l.shard, l]));
    for (const shard of model.data.finalShards) {
      if (shard.parents.length === 0) continue;
      const childBatches = (model.tenuresByShard.get(shard.shard) ?? []).flatMap((t) => t.batches);
      if (childBatches.length === 0) continue;
      findings.checked++;
      const childFirst = Math.min(...childBatches.map((b) => b.at));
      for (const parent of shard.parents) {
        const parentBatches = (model.tenuresByShard.get(parent) ?? []).flatMap((t) => t.batches);
        const late = parentBatches.filter((b) => b.at >= childFirst);
        if (late.length > 0) {
          findings.violation(
            `${shard.shard}: first delivery at ${rel(model, childFirst)}, but its parent ${parent} still had ${late.length} delivery(ies) after it (last ${rel(model, Math.max(...late.map((b) => b.at)))})`,
          );
          continue;
        }
        const end = ends.get(parent);
        if (end !== undefined) {
          if (end >= childFirst) {
            findings.violation(
              `${shard.shard}: first delivery at ${rel(model, childFirst)}, before its parent ${parent} began writing SHARD_END at ${rel(model, end)}`,
            );
          }
        } else if (finalLeases.get(parent)?.checkpoint !== 'SHARD_END') {
          findings.violation(`${shard.shard}: delivered records, but its parent ${parent} never reached SHARD_END`);
        }
      }
    }
    return findings.result();
  },
};

/**
 * No record lost: every record the producer put was delivered to a processor that accepted it (a call that threw
 * does not count), and nothing was delivered that was never produced.
 */
import { Findings, type Invariant } from './invariant';
import type { RunModel } from './run-model';

export const noLoss: Invariant = {
  name: 'no-loss',
  title: 'every produced record was delivered and accepted at least once; nothing unknown was delivered',
  check(model: RunModel) {
    const findings = new Findings(this.name, this.title);
    const delivered = new Set<number>();
    for (const { batch } of model.acceptedBatches()) {
      for (const [id, seq, sub] of batch.recs) {
        delivered.add(id);
        const produced = model.producedById.get(id);
        if (!produced) findings.violation(`record ${id} delivered on ${batch.shard} but never produced`);
        else if (produced.shard !== batch.shard || produced.seq !== seq || produced.sub !== sub) {
          findings.violation(
            `record ${id} delivered on ${batch.shard} at ${seq}/${sub ?? '-'} but produced on ${produced.shard} at ${produced.seq}/${produced.sub ?? '-'}`,
          );
        }
      }
    }
    const lostByShard = new Map<string, number[]>();
    for (const record of model.data.produced) {
      findings.checked++;
      if (delivered.has(record.id)) continue;
      const list = lostByShard.get(record.shard) ?? [];
      list.push(record.id);
      lostByShard.set(record.shard, list);
    }
    for (const [shard, ids] of lostByShard) {
      for (const id of ids) findings.violation(`record ${id} on ${shard} was never delivered (${ids.length} lost on that shard)`);
    }
    return findings.result();
  },
};

/** Ids of produced records never accepted by a processor. */
export function lostRecordIds(model: RunModel): number[] {
  const delivered = new Set<number>();
  for (const { batch } of model.acceptedBatches()) for (const [id] of batch.recs) delivered.add(id);
  return model.data.produced.filter((r) => !delivered.has(r.id)).map((r) => r.id);
}

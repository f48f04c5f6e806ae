/**
 * Order within each lease tenure: a processor instance gets its shard's records in stream order, without gaps and
 * without repeats, starting with the first record after the checkpoint it was initialized with (or the shard's first
 * record when there was none). Calls that threw are ignored here (their batch must come again; see
 * `retried-batch-redelivered`).
 */
import { formatPosition } from '../positions';
import { Findings, rel, type Invariant } from './invariant';
import type { RunModel } from './run-model';

export const orderWithinTenure: Invariant = {
  name: 'order-within-tenure',
  title: 'per shard and lease tenure: records in stream order, no gap, no repeat, starting right after the checkpoint',
  check(model: RunModel) {
    const findings = new Findings(this.name, this.title);
    for (const tenure of model.tenures) {
      const accepted = tenure.batches.filter((b) => !b.fail);
      if (accepted.length === 0) continue;
      findings.checked++;
      if (!tenure.init) {
        findings.violation(`${tenure.shard} ${tenure.id}: records delivered without initialize()`);
        continue;
      }
      const produced = model.producedByShard.get(tenure.shard) ?? [];
      const first = model.firstAfter(tenure.shard, tenure.init.pos);
      let expected = first === undefined ? produced.length : (model.indexOf(tenure.shard, first) ?? produced.length);
      let reported = false;
      let isFirst = true;
      for (const batch of accepted) {
        for (const [id, seq, sub] of batch.recs) {
          const index = model.indexOf(tenure.shard, { seq, sub });
          if (index === undefined) {
            findings.violation(
              `${tenure.shard} ${tenure.id} ${rel(model, batch.at)}: record ${id} (${formatPosition({ seq, sub })}) is not a record of this shard`,
            );
            reported = true;
            break;
          }
          if (index !== expected) {
            const want = produced[expected];
            const what =
              index < expected
                ? `repeats or goes back to record ${id} (index ${index})`
                : `skips ${index - expected} record(s) from ${want ? `record ${want.id}` : 'the end'} to record ${id}`;
            const start = isFirst ? ` (its first record; initialized after checkpoint ${formatPosition(tenure.init.pos)})` : '';
            findings.violation(`${tenure.shard} ${tenure.id} ${rel(model, batch.at)}: ${what}${start}`);
            reported = true;
            break;
          }
          expected = index + 1;
          isFirst = false;
        }
        if (reported) break;
      }
    }
    return findings.result();
  },
};

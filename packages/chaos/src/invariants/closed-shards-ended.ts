/**
 * Every closed shard checkpointed at SHARD_END: each shard ListShards reports as closed (it has an ending sequence
 * number) is at SHARD_END in the final lease table, and once a shard reached SHARD_END no processor delivered any of
 * its records again (closed shards are never leased again).
 */
import { Findings, rel, type Invariant } from './invariant';
import type { RunModel } from './run-model';
import { shardEndTimes } from './shard-end-times';

export const closedShardsEnded: Invariant = {
  name: 'closed-shards-ended',
  title: 'every closed shard is at SHARD_END in the lease table and is not processed after it',
  check(model: RunModel) {
    const findings = new Findings(this.name, this.title);
    const leases = new Map(model.data.finalLeases.map((l) => [l.shard, l]));
    for (const shard of model.data.finalShards) {
      if (shard.endingSeq === undefined) continue;
      findings.checked++;
      const lease = leases.get(shard.shard);
      if (lease?.checkpoint !== 'SHARD_END') {
        findings.violation(`${shard.shard} is closed but its lease is ${lease ? `at ${lease.checkpoint ?? '(no checkpoint)'}` : 'missing'}`);
      }
    }
    for (const [shard, end] of shardEndTimes(model)) {
      const late = (model.tenuresByShard.get(shard) ?? []).flatMap((t) => t.batches.filter((b) => b.at > end));
      if (late.length > 0) {
        findings.violation(`${shard} reached SHARD_END at ${rel(model, end)} but records were delivered again at ${rel(model, late[0]!.at)}`);
      }
    }
    return findings.result();
  },
};

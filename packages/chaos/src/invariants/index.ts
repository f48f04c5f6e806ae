import { closedShardsEnded } from './closed-shards-ended';
import { duplicatesAfterCheckpoint } from './duplicates-after-checkpoint';
import { exclusiveTenures } from './exclusive-tenures';
import type { Invariant, InvariantResult } from './invariant';
import { leaseTableConsistent } from './lease-table-consistent';
import { noLoss } from './no-loss';
import { orderWithinTenure } from './order-within-tenure';
import { parentsBeforeChildren } from './parents-before-children';
import { retriedBatchRedelivered } from './retried-batch-redelivered';
import { RunModel, type ChaosRunData } from './run-model';

export type { Invariant, InvariantResult } from './invariant';
export { RunModel, type ChaosRunData, type Tenure } from './run-model';
export { lostRecordIds } from './no-loss';
export { shardEndTimes, shardEndWriteStarts } from './shard-end-times';

/** Every invariant, in report order. */
export const INVARIANTS: readonly Invariant[] = [
  noLoss,
  orderWithinTenure,
  exclusiveTenures,
  duplicatesAfterCheckpoint,
  retriedBatchRedelivered,
  parentsBeforeChildren,
  closedShardsEnded,
  leaseTableConsistent,
];

/** Runs every invariant over the run's data. A checker that throws is reported as a failed invariant. */
export function checkInvariants(data: ChaosRunData | RunModel): InvariantResult[] {
  const model = data instanceof RunModel ? data : new RunModel(data);
  return INVARIANTS.map((invariant) => {
    try {
      return invariant.check(model);
    } catch (error) {
      return {
        name: invariant.name,
        title: invariant.title,
        passed: false,
        checked: 0,
        violationCount: 1,
        violations: [`the checker failed: ${error instanceof Error ? error.message : String(error)}`],
      };
    }
  });
}

/** KPL de-aggregation (internal barrel; the package entry re-exports only the public part). */
export { deaggregateRecords } from './deaggregate';
export type { CorruptAggregateInfo, DeaggregateOptions, OutOfRangeInfo, SdkRecord } from './deaggregate';
export type { HashKeyRange } from './hash-key';
export type { AggregateFailureReason } from './aggregated-record';
export { skipCheckpointed } from './skip-checkpointed';

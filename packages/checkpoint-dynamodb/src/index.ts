export { DynamoCheckpoint } from './dynamo-checkpoint';
export type { BillingMode, DynamoCheckpointOptions } from './options';
export type { ConsumedCapacityReport, DataOperation } from './capacity-meter';
export { LeaseAttributes } from './lease-item';
export { OWNER_INDEX_NAME } from './owner-index';

export { DynamoCheckpoint } from './dynamo-checkpoint';
export type { BillingMode, DynamoCheckpointOptions } from './options';
export { LeaseAttributes } from './lease-item';

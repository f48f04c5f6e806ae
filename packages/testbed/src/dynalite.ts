// dynalite for the test bed is @kcl/local's DynamoDB stand-in under its test-bed name.
export { startLocalDynamoDB as startDynalite, type LocalDynamoDBOptions as DynaliteOptions } from '@kcl/local';

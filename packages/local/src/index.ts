// @kcl/local: Kinesis, DynamoDB and Redis stand-ins on 127.0.0.1, clients for them, and stream helpers, for trying
// and testing @kcl consumers without AWS. The `kcl-local` command (src/cli.ts) drives the same functions.
export { LocalError, isLocalError, type LocalErrorCode } from './errors';
export { LOOPBACK, getFreePort, type LocalServer } from './listen';
export { startLocalKinesis, type LocalKinesisOptions } from './kinesis';
export { startLocalDynamoDB, type LocalDynamoDBOptions } from './dynamodb';
export { startLocalRedis, findRedisServer, pingRedis, type LocalRedis, type LocalRedisOptions } from './redis';
export { startLocalStack, DEFAULT_PORTS, type LocalStack, type LocalStackOptions } from './stack';
export { createKinesisClient, createDynamoDBClient, LOCAL_REGION, LOCAL_CREDENTIALS } from './clients';
export {
  createStream,
  deleteStream,
  listStreams,
  listAllShards,
  waitForStreamActive,
  LOCAL_WAITER_DELAYS,
  type CreateStreamOptions,
  type DeleteStreamOptions,
} from './streams';
export { putRecords, generatedEntries, type PutRecordResult, type PutRecordsOptions, type PutRecordsOutcome } from './put-records';

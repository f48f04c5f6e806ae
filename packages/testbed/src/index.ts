// @kcl/testbed (private): local stand-ins on free 127.0.0.1 ports for tests, examples and the demo.
// kinesalite and dynalite (through @kcl/local, whose stand-ins, clients and stream helpers are re-exported here
// under their test-bed names) run in-process; kinesis-local and redis-server run as child processes that are killed on
// stop(), on process exit, and (Linux) by the kernel if this process dies.
export type { LocalServer, RedisServerHandle, RedisClusterHandle } from './types';
export { TestbedError } from './errors';
export { startKinesalite, type KinesaliteOptions } from './kinesalite';
export { startKinesisLocal, type KinesisLocalOptions, type KinesisLocalServer } from './kinesis-local';
export { startDynalite, type DynaliteOptions } from './dynalite';
export { startRedis, type StartRedisOptions } from './redis';
export { startRedisCluster, type StartRedisClusterOptions } from './redis-cluster';
export { createTestCertificates, type TestCertificates } from './tls';
export { callConcurrently, printJsonResult, runJsonChild } from './json-child';
export { startTlsAnswerServer, type TlsAnswerServer, type TlsAnswerServerOptions } from './tls-answer-server';
export { randomName } from './names';
export {
  localKinesisClient,
  localDynamoClient,
  createTestStream,
  createTestTable,
  LOCAL_REGION,
  LOCAL_CREDENTIALS,
  type CreateTestStreamOptions,
  type CreateTestTableOptions,
} from './clients';
export { getFreePort, waitForPort, LOOPBACK } from './free-port';
export { ManagedChild, waitUntilReady, type ExitInfo } from './child-process';
export { startAll, SERVER_NAMES, type ServerName, type StartAllOptions, type LocalServers } from './start-all';
export { startTcpProxy, type TcpFaultProxy, type TcpProxyMode, type TcpProxyOptions, type TcpProxyStats } from './tcp-proxy';
export { parseFlags, parseInteger, runCommand, UsageError, type FlagSpec, type ParsedFlags } from './cli-args';
export { waitFor } from './wait';
export { listAllShards, waitForStreamActive, LOCAL_WAITER_DELAYS, LocalError, isLocalError, type LocalErrorCode } from '@kcl/local';
export { injectKinesisFaults, kinesisFaultError, type FaultCounters, type KinesisCall, type KinesisFaultKind } from './kinesis-faults';
export { startDurableRedis, type DurableRedisHandle } from './durable-redis';
export { startKinesaliteProcess, type KinesaliteProcess, type KinesaliteProcessOptions } from './kinesalite-process';
// The one PutRecords-with-retry of the repository is @kcl/local's putRecords.
export { putRecords as putRecordsWithRetry, type PutRecordResult, type PutRecordsOptions, type PutRecordsOutcome } from '@kcl/local';
export {
  startCloudWatchStandIn,
  receivedData,
  datumDimensions,
  datumTotal,
  type CloudWatchStandIn,
  type ReceivedDatum,
  type ReceivedRequest,
} from './cloudwatch-stand-in';
export { spawnNodeChild, nodeEntryArgs, TS_REGISTER_PRELOAD, type NodeChild, type NodeChildExit, type NodeChildOptions } from './node-child';
export { forkIpcChild, IpcChild, type ChildMessage, type IpcChildOptions } from './ipc-child';
export { encodeAggregate } from './kpl-aggregate';
export { startTlsAnswerBed, type TlsAnswerBed, type TlsAnswerMeasurement } from './tls-answer-bed';
export { measureOps, type OpsMeasurement } from './measure-ops';
export { readChildSettings, jsonLineWriter, sendToParent, exitOnStopSignals, runChildMain, textRecords, type TextRecord } from './worker-child';
export { DeliveryLog, describeOverlaps, type DeliveredRecord, type DeliveryBatch, type Overlap, type ShutdownEntry } from './delivery-log';
export {
  describeConnectionReuse,
  readClientCallSettings,
  type ClientCallSettings,
  type ConnectionReuseOptions,
  type ConnectionReuseTestApi,
} from './connection-reuse';
export { useServer, useDynalite, type DynaliteForTests } from './use-server';
export { Producer, type ProducedRecord } from './producer';

// One worker process of `pnpm bench:scale`: a real @kcl/core Worker (default config but the stream, endpoints,
// TRIM_HORIZON and the stealing flag) with the chosen lease store. Talks to the coordinator over IPC:
//   -> ready (just before start()), started / failed, held (lease count, every heartbeat), delivered (batches)
//   <- snapshot (answered with process and call metrics since the previous snapshot), stop (graceful shutdown,
//      answered when done; the coordinator then disconnects and the process exits)
// Exits by itself when the coordinator disconnects or dies.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DynamoCheckpoint } from '@kcl/checkpoint-dynamodb';
import { RedisCheckpoint } from '@kcl/checkpoint-redis';
import {
  InitialPositionInStream,
  KinesisClientLibConfig,
  NoopMonitoringService,
  Worker,
  createWinstonLogger,
  type Checkpointer,
  type ProcessRecordsInput,
  type RecordProcessor,
} from '@kcl/core';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localDynamoClient, sendToParent } from '@kcl/testbed';
import { addCallCounts, countCalls, countStoreCommands, noCalls, type CallCounts } from './scale-call-counter';
import type { DeliveredBatch } from './scale-delivery';
import type { ScaleWorkerSettings, SteadyFigures, WorkerSnapshot } from './scale-worker-protocol';

const settings = JSON.parse(process.argv[2] ?? '{}') as ScaleWorkerSettings;
const DELIVERY_FLUSH_MILLIS = 250;
const MB = 1024 * 1024;

/** Fire and forget: a message the coordinator can no longer take (it disconnected) is dropped. */
function send(message: object): void {
  if (process.connected) sendToParent(message).catch(() => undefined);
}

const config = new KinesisClientLibConfig(settings.applicationName, settings.streamName, LOCAL_REGION, settings.workerId)
  .withTableName(settings.tableName)
  .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
  .withKinesisEndpoint(settings.kinesisEndpoint)
  .withKinesisCredentials({ ...LOCAL_CREDENTIALS })
  .withLogger(createWinstonLogger({ level: 'error' }));
if (settings.stealing) config.withLeaseStealing(true);

// The worker builds its own Kinesis client (so its polling consumers take core's lean GetRecords path unless
// --sdk-get-records); `onKinesisClient` adds the call counter to it. Lean GetRecords bypass the SDK middleware, so they
// are counted by the monitoring service (each successful GetRecords reports its duration).
let countedKinesisCalls: (() => CallCounts) | undefined;
let leanGetRecords = 0;
class GetRecordsCounter extends NoopMonitoringService {
  override recordGetRecordsTime(): void {
    leanGetRecords++;
  }
}
const takeKinesisCalls = (): CallCounts => {
  const counts = countedKinesisCalls?.() ?? noCalls();
  if (!settings.sdkGetRecords && leanGetRecords > 0) counts.calls['GetRecords'] = (counts.calls['GetRecords'] ?? 0) + leanGetRecords;
  leanGetRecords = 0;
  return counts;
};
config.withMonitoringService(new GetRecordsCounter());
let takeStoreCalls: (() => CallCounts) | undefined;
let checkpointer: Checkpointer & { close(): Promise<void> };
if (settings.backend === 'dynamodb') {
  config.withDynamoDBEndpoint(settings.dynamoEndpoint!).withDynamoDBCredentials({ ...LOCAL_CREDENTIALS });
  // The checkpointer's own defaults for retries and timeouts, on a client we can count calls on.
  const dynamo = localDynamoClient(settings.dynamoEndpoint!, {
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
  });
  takeStoreCalls = countCalls(dynamo, { askConsumedCapacity: true });
  checkpointer = new DynamoCheckpoint(config).withDynamoDB(dynamo);
} else {
  const redis = new RedisCheckpoint(config, { address: settings.redisAddress! });
  takeStoreCalls = countStoreCommands(() => redis.commandCounts());
  checkpointer = redis;
}

let pendingDeliveries: DeliveredBatch[] = [];
const flushDeliveries = (): void => {
  if (pendingDeliveries.length === 0) return;
  send({ type: 'delivered', batches: pendingDeliveries });
  pendingDeliveries = [];
};

const processor = (): RecordProcessor => ({
  initialize: () => undefined,
  processRecords: async (input: ProcessRecordsInput) => {
    if (input.records.length === 0) return;
    let checkpointed = false;
    try {
      await input.checkpointer.checkpoint();
      checkpointed = true;
    } catch {
      // lease lost meanwhile: the records count as delivered but not checkpointed
    }
    if (settings.reportDeliveries) {
      pendingDeliveries.push({ shardId: input.shardId, sequenceNumbers: input.records.map((r) => r.sequenceNumber), checkpointed });
    }
  },
  shutdown: () => undefined,
});

const worker = new Worker({ createProcessor: processor }, config, {
  leanGetRecords: settings.sdkGetRecords !== true,
  onKinesisClient: (client) => {
    countedKinesisCalls = countCalls(client);
  },
}).withCheckpointer(checkpointer);
const events = { errors: 0, leasesAcquired: 0, leasesLost: 0, firstError: undefined as string | undefined };
worker.on('error', ({ error, operation }) => {
  events.errors++;
  events.firstError ??= `${operation}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
});
worker.on('leaseAcquired', () => {
  events.leasesAcquired++;
});
worker.on('leaseLost', () => {
  events.leasesLost++;
});

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let cpuBase = process.cpuUsage();
let wallBase = performance.now();

/** The steady part of the current interval: from the coordinator's `mark` to the next snapshot. */
let steadyMark:
  | {
      cpu: NodeJS.CpuUsage;
      wall: number;
      loopDelay: ReturnType<typeof monitorEventLoopDelay>;
      callsBefore: Record<string, number>;
      storeBefore: CallCounts;
      rssPeak: number;
    }
  | undefined;
/** Highest RSS sampled since the last snapshot. */
let rssPeak = 0;

/** Counts `rss` (sampled now) into the peaks of the interval and of the steady part. */
function sampleRss(rss = process.memoryUsage.rss()): void {
  rssPeak = Math.max(rssPeak, rss);
  if (steadyMark) steadyMark.rssPeak = Math.max(steadyMark.rssPeak, rss);
}

function mark(): void {
  steadyMark?.loopDelay.disable();
  const steadyLoopDelay = monitorEventLoopDelay({ resolution: 10 });
  steadyLoopDelay.enable();
  // Kinesis calls before the mark are kept for the interval's own figures; the counter then counts the steady part.
  const callsBefore = addCalls(steadyMark?.callsBefore ?? {}, takeKinesisCalls().calls);
  const storeBefore = addCallCounts(steadyMark?.storeBefore ?? noCalls(), takeStoreCalls?.() ?? noCalls());
  steadyMark = { cpu: process.cpuUsage(), wall: performance.now(), loopDelay: steadyLoopDelay, callsBefore, storeBefore, rssPeak: 0 };
  sampleRss();
}

function addCalls(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const sum = { ...a };
  for (const [operation, calls] of Object.entries(b)) sum[operation] = (sum[operation] ?? 0) + calls;
  return sum;
}

function snapshot(): WorkerSnapshot {
  const cpu = process.cpuUsage(cpuBase);
  const now = performance.now();
  const wallMillis = now - wallBase;
  const memory = process.memoryUsage();
  sampleRss(memory.rss);
  const sinceMark = takeKinesisCalls();
  const storeSinceMark = takeStoreCalls?.();
  let steady: SteadyFigures | undefined;
  let kinesisCalls = sinceMark;
  let storeCalls = storeSinceMark;
  if (steadyMark) {
    const steadyCpu = process.cpuUsage(steadyMark.cpu);
    const steadyMillis = now - steadyMark.wall;
    const h = steadyMark.loopDelay;
    steady = {
      intervalMillis: steadyMillis,
      eventLoopDelayP99Millis: h.count > 0 ? h.percentile(99) / 1e6 : 0,
      eventLoopDelayMaxMillis: h.count > 0 ? h.max / 1e6 : 0,
      cpuPercent: steadyMillis > 0 ? ((steadyCpu.user + steadyCpu.system) / 1000 / steadyMillis) * 100 : 0,
      rssMb: memory.rss / MB,
      heapUsedMb: memory.heapUsed / MB,
      rssPeakMb: steadyMark.rssPeak / MB,
      kinesisCalls: sinceMark.calls,
      storeCalls: storeSinceMark?.calls ?? {},
      readCapacityUnits: storeSinceMark !== undefined && storeSinceMark.answersWithCapacity > 0 ? storeSinceMark.readCapacityUnits : undefined,
    };
    kinesisCalls = { ...sinceMark, calls: addCalls(steadyMark.callsBefore, sinceMark.calls) };
    if (storeSinceMark) storeCalls = addCallCounts(steadyMark.storeBefore, storeSinceMark);
    h.disable();
    steadyMark = undefined;
  }
  const result: WorkerSnapshot = {
    intervalMillis: wallMillis,
    held: worker.heldShards().length,
    rssMb: memory.rss / MB,
    rssPeakMb: rssPeak / MB,
    heapUsedMb: memory.heapUsed / MB,
    heapTotalMb: memory.heapTotal / MB,
    eventLoopDelayP99Millis: loopDelay.count > 0 ? loopDelay.percentile(99) / 1e6 : 0,
    eventLoopDelayMaxMillis: loopDelay.count > 0 ? loopDelay.max / 1e6 : 0,
    cpuPercent: wallMillis > 0 ? ((cpu.user + cpu.system) / 1000 / wallMillis) * 100 : 0,
    kinesisCalls: kinesisCalls.calls,
    storeCalls: storeCalls?.calls,
    storeFailures: storeCalls?.failures,
    consumedCapacityUnits: storeCalls?.capacityUnits,
    answersWithCapacity: storeCalls?.answersWithCapacity,
    readCapacityUnits: storeCalls?.readCapacityUnits,
    errors: events.errors,
    leasesAcquired: events.leasesAcquired,
    leasesLost: events.leasesLost,
    firstError: events.firstError,
    steady,
  };
  loopDelay.reset();
  rssPeak = 0;
  cpuBase = process.cpuUsage();
  wallBase = now;
  events.errors = 0;
  events.leasesAcquired = 0;
  events.leasesLost = 0;
  events.firstError = undefined;
  return result;
}

const heartbeat = setInterval(() => {
  sampleRss();
  send({ type: 'held', count: worker.heldShards().length });
}, settings.heartbeatMillis);
const flusher = setInterval(flushDeliveries, DELIVERY_FLUSH_MILLIS);

let stopping: Promise<number> | undefined;
/** Graceful shutdown of the worker and its clients; resolves with how long the worker's shutdown() took. */
function stop(): Promise<number> {
  return (stopping ??= (async () => {
    clearInterval(heartbeat);
    const started = performance.now();
    await worker.shutdown();
    flushDeliveries();
    clearInterval(flusher);
    const millis = performance.now() - started;
    // The worker destroyed the Kinesis client it built.
    await checkpointer.close().catch(() => undefined);
    return millis;
  })());
}

process.on('message', (message: { type?: string; id?: number }) => {
  if (message.type === 'snapshot') send({ type: 'snapshot', id: message.id, snapshot: snapshot() });
  else if (message.type === 'mark') mark();
  else if (message.type === 'stop') void stop().then((millis) => send({ type: 'stop', id: message.id, millis }));
});
process.once('disconnect', () => {
  void stop().finally(() => process.exit(0));
});

send({ type: 'ready' });
const startedAt = performance.now();
worker.start().then(
  () => send({ type: 'started', millis: performance.now() - startedAt, held: worker.heldShards().length }),
  (error: unknown) => {
    send({ type: 'failed', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    void stop().finally(() => process.exit(1));
  },
);

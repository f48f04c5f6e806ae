#!/usr/bin/env node
/**
 * One chaos worker process: a @kcl/core Worker with the chaos processor, a Kinesis client with the fault middleware
 * of its slot's windows, and a counting lease-store client reaching the store through the coordinator's proxies.
 * Settings come as JSON in CHAOS_WORKER ({@link WorkerSettings}); everything it sees goes to its log file as JSON
 * lines. SIGTERM shuts the worker down gracefully (last checkpoints, leases released) and exits with 0.
 * CHAOS_LOG_LEVEL (e.g. `info`) shows the worker's own log on stderr.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { existsSync, readFileSync } from 'node:fs';
import {
  createKinesisClient,
  createWinstonLogger,
  InitialPositionInStream,
  isKclError,
  KinesisClientLibConfig,
  Worker,
  type KclLogLevel,
  type WorkerEvents,
} from '@kcl/core';
import { exitOnStopSignals, LOCAL_CREDENTIALS, readChildSettings, runChildMain } from '@kcl/testbed';
import { ChaosProcessor } from './chaos-processor';
import { now, sleep } from './clock';
import { CountingCheckpointer } from './counting-checkpointer';
import { installKinesisFaults } from './kinesis-faults';
import { createStoreClient } from '@kcl/integration-tests';
import { LogWriter } from './log-writer';
import { deriveSeed, Prng } from './prng';
import { WORKER_SETTINGS_ENV, type WorkerSettings } from './worker-settings';

const OPS_INTERVAL_MS = 2_000;
/** A shutdown that takes longer than the grace period plus this is cut short (exit code 3). */
const EXIT_SLACK_MS = 5_000;

async function main(): Promise<void> {
  const s = readChildSettings<WorkerSettings>(WORKER_SETTINGS_ENV);
  const inc = `${s.workerId}/${process.pid}`;
  const log = new LogWriter(s.logFile);
  log.write({ t: 'start', at: now(), w: s.workerId, inc, pid: process.pid });

  const level = (process.env['CHAOS_LOG_LEVEL'] as KclLogLevel | undefined) ?? 'silent';
  const config = new KinesisClientLibConfig(s.applicationName, s.streamName, 'us-east-1', s.workerId)
    .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
    .withKinesisEndpoint(s.kinesisEndpoint)
    .withKinesisCredentials({ ...LOCAL_CREDENTIALS })
    .withFailoverTimeMillis(s.timings.failoverMillis)
    .withLeaseRefreshPeriodMillis(s.timings.refreshMillis)
    .withShardSyncIntervalMillis(s.timings.shardSyncMillis)
    .withIdleTimeBetweenReadsInMillis(s.timings.idleMillis)
    .withMaxRecords(s.timings.maxRecords)
    .withTaskBackoffTimeMillis(s.timings.taskBackoffMillis)
    .withShutdownGraceMillis(s.timings.shutdownGraceMillis)
    .withMaxRetryCount(2)
    .withLeaseStealing(true)
    .withLeaseStealingIntervalMillis(s.timings.stealingIntervalMillis)
    .withLeaseSyncingIntervalMillis(s.timings.stealingIntervalMillis)
    .withLogger(createWinstonLogger({ level, format: 'simple' }).child({ inc }));

  const kinesis = createKinesisClient(config);
  let t0: number | undefined;
  const readT0 = (): number | undefined => {
    if (t0 === undefined && existsSync(s.t0File)) t0 = Number(readFileSync(s.t0File, 'utf8'));
    return t0;
  };
  const injected = installKinesisFaults(kinesis, s.kinesisFaults, readT0, new Prng(deriveSeed(s.seed, `kinesis/${s.slot}/${s.incarnation}`)));
  const store = createStoreClient(s.store, config, { timeoutMillis: s.timings.storeTimeoutMillis, dynamoMaxAttempts: 2 });
  const checkpointer = new CountingCheckpointer(store.checkpointer);
  const processorPrng = new Prng(deriveSeed(s.seed, `processor/${s.slot}/${s.incarnation}`));
  let tenures = 0;
  const worker = new Worker(
    {
      createProcessor: () =>
        new ChaosProcessor(
          {
            log,
            workerId: s.workerId,
            inc,
            prng: processorPrng,
            throwRate: s.processorThrowRate,
            midBatchCheckpointRate: s.midBatchCheckpointRate,
          },
          `${inc}#${++tenures}`,
        ),
    },
    config,
  )
    .withKinesis(kinesis)
    .withCheckpointer(checkpointer);

  const logEvent = <K extends keyof WorkerEvents>(name: K, payload: WorkerEvents[K]): void => {
    const p = payload as { shardId?: string; reason?: string; operation?: string; error?: unknown };
    const line: Parameters<LogWriter['write']>[0] = { t: 'event', at: now(), w: s.workerId, inc, name };
    if (p.shardId !== undefined) line.shard = p.shardId;
    if (p.reason !== undefined) line.reason = p.reason;
    if (p.operation !== undefined) line.op = p.operation;
    if (p.error !== undefined) line.code = isKclError(p.error) ? p.error.code : p.error instanceof Error ? p.error.name : typeof p.error;
    log.write(line);
  };
  for (const name of ['leaseAcquired', 'leaseLost', 'shardEnded', 'processorError', 'error'] as const) {
    worker.on(name, (payload) => logEvent(name, payload));
  }
  const writeStats = (): void => {
    log.write({ t: 'ops', at: now(), w: s.workerId, inc, ops: { ...checkpointer.counts } });
    log.write({ t: 'injected', at: now(), w: s.workerId, inc, counts: { ...injected } });
  };
  const statsTimer = setInterval(writeStats, OPS_INTERVAL_MS);

  const stopping = new AbortController();
  const stop = exitOnStopSignals(async () => {
    stopping.abort();
    const cut = setTimeout(() => process.exit(3), s.timings.shutdownGraceMillis + EXIT_SLACK_MS);
    await worker.shutdown();
    clearInterval(statsTimer);
    writeStats();
    log.write({ t: 'stopped', at: now(), w: s.workerId, inc });
    await store.close().catch(() => undefined);
    kinesis.destroy();
    clearTimeout(cut);
    log.close();
  }, ['SIGTERM', 'SIGINT']);

  // The lease store may be unreachable right now (a partition): keep trying, as a supervisor would restart us.
  for (let attempt = 1; !stopping.signal.aborted; attempt++) {
    try {
      await worker.start();
      return;
    } catch (error) {
      logEvent('error', { error, operation: `start#${attempt}` });
      if (stopping.signal.aborted) return;
      await sleep(500, stopping.signal);
      if (worker.state !== 'new') {
        // A worker that failed to start can be started again only while it is 'new'.
        return void stop();
      }
    }
  }
}

runChildMain('chaos worker', main);

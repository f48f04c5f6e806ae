/**
 * The chaos coordinator: starts the stand-ins (kinesalite in a child process, the lease store behind fault proxies),
 * the worker processes and the producer; applies the schedule's faults; drains; shuts the workers down; then checks
 * the invariants over the logs and the final lease table and builds the report. Everything it started is stopped
 * before it returns.
 */
import { setMaxListeners } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createTestStream, localKinesisClient, startKinesaliteProcess, type KinesaliteProcess } from '@kcl/testbed';
import type { ChaosOptions } from './args';
import { now, sleep } from './clock';
import { FaultInjector } from './fault-injector';
import { LeaseTableReader, readShards } from './final-state';
import { checkInvariants, RunModel, type ChaosRunData } from './invariants';
import type { InjectedLine, OpsLine } from './log-lines';
import { LogTail } from './log-tail';
import { Producer } from './producer';
import { Prng } from './prng';
import type { ChaosReport } from './report';
import { deliveryCounts, failoverTimes, handoffTimes, lastCounts, summarize } from './run-stats';
import { countByKind, generateSchedule, kinesisWindows } from './schedule';
import { startLeaseStore, type LeaseStoreStandIn } from './stand-ins/lease-store';
import { WorkerSlot } from './worker-process';
import type { WorkerSettings, WorkerTimings } from './worker-settings';

const APPLICATION = 'kcl-chaos';
/** Kinesis keeps shards (and so their leases) for the stream's retention period: 24 h by default. */
const RETENTION_MILLIS = 24 * 3_600_000;

export interface RunChaosIo {
  /** Progress lines (not in --json mode). */
  progress?: (line: string) => void;
}

function timingsFor(options: ChaosOptions): WorkerTimings {
  return {
    failoverMillis: options.failoverMillis,
    refreshMillis: options.refreshMillis,
    shardSyncMillis: 2_000,
    stealingIntervalMillis: 2_000,
    idleMillis: 100,
    maxRecords: 500,
    taskBackoffMillis: 200,
    shutdownGraceMillis: 8_000,
    storeTimeoutMillis: Math.max(500, Math.floor(options.failoverMillis / 3)),
  };
}

/** True when every shard ListShards reports closed is at SHARD_END in the lease table (failures: false). */
async function closedShardsEnded(kinesis: KinesisClient, streamName: string, reader: LeaseTableReader): Promise<boolean> {
  try {
    const closed = (await readShards(kinesis, streamName)).filter((s) => s.endingSeq !== undefined);
    if (closed.length === 0) return true;
    const leases = new Map((await reader.leases()).map((l) => [l.shard, l]));
    return closed.every((s) => leases.get(s.shard)?.checkpoint === 'SHARD_END');
  } catch {
    return false;
  }
}

function optionsWithoutDir(options: ChaosOptions): Omit<ChaosOptions, 'reportDir' | 'check'> {
  const { reportDir: _dir, check: _check, ...rest } = options;
  return rest;
}

/** Runs one chaos run with `seed` and returns its report (also written to `options.reportDir`). */
export async function runChaos(options: ChaosOptions, seed: number, io: RunChaosIo = {}): Promise<ChaosReport> {
  const progress = io.progress ?? (() => undefined);
  const startedAt = now();
  const runId = `${options.backend}${options.quick ? '-quick' : ''}-seed${seed}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const logDir = join(options.reportDir, runId);
  mkdirSync(logDir, { recursive: true });
  const timings = timingsFor(options);
  const schedule = generateSchedule({
    seed,
    windowMs: options.windowSeconds * 1_000,
    workers: options.workers,
    backend: options.backend,
    failoverMillis: options.failoverMillis,
    kills: options.kills,
    pauses: options.pauses,
    storeFaultsPerKind: options.storeFaultsPerKind,
    kinesisWindowsPerKind: options.kinesisWindowsPerKind,
  });
  writeFileSync(join(logDir, 'schedule.json'), `${JSON.stringify(schedule, null, 1)}\n`);

  let kinesisStandIn: KinesaliteProcess | undefined;
  let store: LeaseStoreStandIn | undefined;
  const slots: WorkerSlot[] = [];
  const abort = new AbortController();
  setMaxListeners(1_000, abort.signal); // one listener per scheduled fault while it waits for its time
  let producer: Producer | undefined;
  let kinesisClient: ReturnType<typeof localKinesisClient> | undefined;
  let reader: LeaseTableReader | undefined;
  try {
    progress('starting kinesalite and the lease store...');
    kinesisStandIn = await startKinesaliteProcess({ shardLimit: 1_000, stderrFile: join(logDir, 'kinesalite.stderr.log') });
    const names = { tableName: `${APPLICATION}-${seed}`, keyPrefix: 'kcl' };
    store = await startLeaseStore(options.backend, names);
    kinesisClient = localKinesisClient(kinesisStandIn.endpoint);
    const streamName = await createTestStream(kinesisClient, { shardCount: options.shards, name: `kcl-chaos-${seed}` });
    const t0File = join(logDir, 't0');
    const logFiles: string[] = [];
    for (let slot = 0; slot < options.workers; slot++) {
      const workerId = `w${slot + 1}`;
      const logFile = join(logDir, `${workerId}.jsonl`);
      logFiles.push(logFile);
      const settings = (incarnation: number): WorkerSettings => ({
        workerId,
        slot,
        incarnation,
        applicationName: APPLICATION,
        streamName,
        kinesisEndpoint: kinesisStandIn!.endpoint,
        store: store!.workerSpec,
        timings,
        logFile,
        t0File,
        seed,
        kinesisFaults: kinesisWindows(schedule),
        processorThrowRate: schedule.processorThrowRate,
        midBatchCheckpointRate: schedule.midBatchCheckpointRate,
      });
      slots.push(new WorkerSlot(slot, workerId, settings, join(logDir, `${workerId}.stderr.log`)));
    }
    const tail = new LogTail(logFiles);

    progress(`starting ${options.workers} worker processes on ${options.shards} shards...`);
    for (const slot of slots) slot.start();
    const readyBy = now() + 30_000;
    while (now() < readyBy) {
      await sleep(200);
      tail.poll();
      const processing = new Set([...tail.processing.values()].flatMap((s) => [...s]));
      if (processing.size >= options.shards) break;
    }

    const t0 = now();
    writeFileSync(t0File, String(t0));
    progress(`producing ${options.records} records over ${options.windowSeconds} s; ${schedule.faults.length} faults scheduled`);
    producer = new Producer({
      client: kinesisClient,
      streamName,
      records: options.records,
      windowMs: options.windowSeconds * 1_000,
      prng: new Prng(seed).derive('payloads'),
    });
    const injector = new FaultInjector({
      schedule,
      slots,
      store,
      kinesis: kinesisClient,
      streamName,
      tail,
      t0,
      signal: abort.signal,
      note: (text) => progress(`  t+${((now() - t0) / 1000).toFixed(1)}s ${text}`),
    });
    const ticker = setInterval(() => {
      tail.poll();
      progress(`  t+${((now() - t0) / 1000).toFixed(0)}s produced ${producer!.produced.length}, delivered ${tail.delivered.size}`);
    }, 5_000);
    try {
      await Promise.all([producer.start(), injector.run()]);
    } finally {
      clearInterval(ticker);
    }

    // Drain: every produced record delivered and every closed shard at SHARD_END in the lease table, within the bound.
    progress('producer done; draining...');
    const drainStart = now();
    const produced = producer.produced;
    reader = new LeaseTableReader(APPLICATION, streamName, store.directSpec);
    let complete = false;
    while (now() - drainStart < options.drainTimeoutSeconds * 1_000) {
      tail.poll();
      const allDelivered = tail.delivered.size >= produced.length && produced.every((r) => tail.delivered.has(r.id));
      if (allDelivered && (await closedShardsEnded(kinesisClient, streamName, reader))) {
        complete = true;
        break;
      }
      await sleep(250);
    }
    const drainMillis = now() - drainStart;

    progress('shutting the workers down...');
    const stopped = await Promise.all(slots.map((slot) => slot.stop(timings.shutdownGraceMillis + 7_000)));
    const forcedStops = stopped.filter((ok) => !ok).length;
    tail.poll();

    const finalShards = await readShards(kinesisClient, streamName);
    const finalLeases = await reader.leases();
    writeFileSync(join(logDir, 'produced.jsonl'), produced.map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeFileSync(join(logDir, 'final-state.json'), `${JSON.stringify({ finalShards, finalLeases }, null, 1)}\n`);
    writeFileSync(join(logDir, 'faults.json'), `${JSON.stringify({ applied: injector.applied, skipped: injector.skipped }, null, 1)}\n`);

    progress('checking the invariants...');
    const data: ChaosRunData = {
      produced,
      lines: tail.lines,
      faults: injector.applied,
      finalLeases,
      finalShards,
      workerIds: slots.map((s) => s.workerId),
      retentionMillis: RETENTION_MILLIS,
      startedAt: t0,
      checkedAt: now(),
    };
    const model = new RunModel(data);
    const invariants = checkInvariants(model);
    const counts = deliveryCounts(model);
    const failovers = failoverTimes(model, injector.applied, options.failoverMillis);
    const opsLines = tail.lines.filter((l): l is OpsLine => l.t === 'ops');
    const injectedLines = tail.lines.filter((l): l is InjectedLine => l.t === 'injected');
    const ops = lastCounts(opsLines);
    const operations = Object.entries(ops)
      .filter(([k]) => !k.endsWith(':failed'))
      .reduce((sum, [, v]) => sum + v, 0);
    const failedOperations = Object.entries(ops)
      .filter(([k]) => k.endsWith(':failed'))
      .reduce((sum, [, v]) => sum + v, 0);
    const workerMinutes = Math.max(1e-9, (now() - t0) / 60_000);
    const avgShards = (options.shards + finalShards.filter((s) => s.endingSeq === undefined).length) / 2;
    const lost = produced.length - produced.filter((r) => tail.delivered.has(r.id)).length;
    const report: ChaosReport = {
      seed,
      backend: options.backend,
      quick: options.quick,
      passed: invariants.every((i) => i.passed) && lost === 0 && producer.done,
      startedAt: new Date(startedAt).toISOString(),
      durationSeconds: (now() - startedAt) / 1_000,
      setup: {
        workers: options.workers,
        shardsAtStart: options.shards,
        shardsAtEnd: { total: finalShards.length, closed: finalShards.filter((s) => s.endingSeq !== undefined).length },
        windowSeconds: options.windowSeconds,
        failoverMillis: options.failoverMillis,
        refreshMillis: options.refreshMillis,
        replay: `pnpm chaos${options.quick ? ' --quick' : ''} --backend ${options.backend} --seed ${seed}`,
      },
      records: {
        produced: produced.length,
        delivered: counts.distinct,
        deliveries: counts.deliveries,
        duplicated: counts.duplicates,
        lost,
        aggregates: producer.aggregates,
        aggregatedRecords: produced.filter((r) => r.sub !== null).length,
        processorFailures: counts.failedCalls,
      },
      faults: {
        applied: countByKind(injector.applied),
        injectedKinesisErrors: lastCounts(injectedLines),
        skipped: injector.skipped,
        list: injector.applied.map((f) => ({ ...f, atSeconds: Math.round((f.at - t0) / 100) / 10 })),
      },
      invariants,
      failover: {
        kill: summarize(failovers.kill),
        killCalm: summarize(failovers.killCalm),
        pause: summarize(failovers.pause),
        handoff: summarize(handoffTimes(model)),
      },
      leaseStore: {
        operations,
        failedOperations,
        byMethod: ops,
        opsPerShardPerMinute: operations / Math.max(1, avgShards) / workerMinutes,
      },
      workers: {
        incarnations: slots.reduce((sum, s) => sum + s.incarnations, 0),
        unexpectedExits: slots.flatMap((s) => s.unexpectedExits.map((e) => `${s.workerId} ${e}`)),
        forcedStops,
      },
      drain: { complete, millis: Math.round(drainMillis) },
      logDir,
      options: { ...optionsWithoutDir(options), seed },
    };
    return report;
  } finally {
    abort.abort();
    await producer?.stop();
    await Promise.all(slots.map((slot) => slot.stop(2_000).catch(() => false)));
    kinesisClient?.destroy();
    await reader?.close();
    await store?.stop().catch(() => undefined);
    await kinesisStandIn?.stop().catch(() => undefined);
  }
}

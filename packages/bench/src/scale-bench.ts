import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient, KinesisClientLibConfig } from '@kcl/core';
import {
  createTestStream,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startKinesaliteProcess,
  startRedis,
  type KinesaliteProcess,
  type RedisServerHandle,
} from '@kcl/testbed';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ScaleBenchOptions } from './scale-args';
import { IpcChild } from '@kcl/testbed';
import { benchScript } from './scale-child-process';
import { commandStatsDelta, fetchCommandStats, type CommandStats } from './scale-commandstats';
import { DeliveryLedger, type DeliverySummary } from './scale-delivery';
import { fairShareRange, FairShareWatcher } from './scale-fair-share';
import { MachineFloorProbe } from './scale-floor-process';
import { buildPhase, dynamoLoad, redisLoad, type LeaseStoreLoad, type ScalePhaseResult } from './scale-phase';
import { ScaleProducer, shardStartingHashKeys, type ProducerStats } from './scale-producer';
import { ScaleWorkerProcess } from './scale-worker-process';
import type { ScaleWorkerSettings } from './scale-worker-protocol';
import { KINESALITE_NODE_OPTIONS } from './kinesalite-process';

export interface ScaleWorkerSummary {
  workerId: string;
  /** start() called -> resolved, in the worker process. */
  startMillis: number | null;
  /** Leases held when start() resolved. */
  heldAtStart: number | null;
  /** Graceful shutdown at the end (shutdown() called -> resolved). */
  shutdownMillis: number | null;
  /** Why start() failed, when it did. */
  failure: string | null;
  /** Last stderr lines of a worker that failed or exited early. */
  stderr: string[];
}

export interface ScaleBenchResult {
  options: ScaleBenchOptions;
  kinesis: 'kinesalite' | 'stand-in';
  /** Creating the stream (kinesalite) and starting the servers. */
  setupMillis: number;
  phases: ScalePhaseResult[];
  workers: ScaleWorkerSummary[];
  /** null in engine-only mode (no records). */
  delivery: (DeliverySummary & { producer: ProducerStats; drainMillis: number }) | null;
  /** Why the run stopped early (hard time bound, a worker that failed to start), or null. */
  aborted: string | null;
  totalMillis: number;
}

export type ProgressSink = (line: string) => void;

const HEARTBEAT_MILLIS = 500;
const READY_TIMEOUT_MS = 60_000;
const SNAPSHOT_TIMEOUT_MS = 15_000;
/** The worker's shutdownGraceMillis default is 30 s; a little more for the process to answer. */
const STOP_TIMEOUT_MS = 40_000;
/** The steady part of a phase starts this long after its fair share was reached. */
export const STEADY_SETTLE_MILLIS = 5_000;
const STREAM_ACTIVE_TIMEOUT_MS = 300_000;

/**
 * Runs the scale benchmark: servers, stream, producer, then one worker process per phase, figures per phase, the
 * drain, and the delivery check. Every wait is bounded; past `options.maxSeconds` the run stops and reports what it has.
 */
export async function runScaleBench(options: ScaleBenchOptions, progress: ProgressSink = () => undefined): Promise<ScaleBenchResult> {
  const runStarted = performance.now();
  const deadline = runStarted + options.maxSeconds * 1000;
  const remaining = (): number => deadline - performance.now();
  const stamp = Date.now().toString(36);
  let kinesalite: KinesaliteProcess | undefined;
  let standIn: IpcChild | undefined;
  let dynalite: IpcChild | undefined;
  let redis: RedisServerHandle | undefined;
  let kinesis: KinesisClient | undefined;
  let producer: ScaleProducer | undefined;
  let floor: MachineFloorProbe | undefined;
  const workers: ScaleWorkerProcess[] = [];
  const phases: ScalePhaseResult[] = [];
  let aborted: string | null = null;
  let delivery: ScaleBenchResult['delivery'] = null;
  let setupMillis: number;
  try {
    const streamName = `bench-scale-${stamp}`;
    let kinesisEndpoint: string;
    if (options.engineOnly) {
      progress(`starting the Kinesis stand-in (${options.shards} shards)...`);
      standIn = new IpcChild('kinesis stand-in', benchScript('scale-server-child.js'), ['stand-in', String(options.shards)]);
      kinesisEndpoint = String((await standIn.ready(READY_TIMEOUT_MS)).endpoint);
    } else {
      progress(`starting kinesalite and creating a stream of ${options.shards} shards...`);
      kinesalite = await startKinesaliteProcess({ shardLimit: options.shards + 10, nodeOptions: KINESALITE_NODE_OPTIONS });
      kinesisEndpoint = kinesalite.endpoint;
    }
    let dynamoEndpoint: string | undefined;
    if (options.backend === 'redis') {
      redis = await startRedis();
    } else {
      dynalite = new IpcChild('dynalite', benchScript('scale-server-child.js'), ['dynalite']);
      dynamoEndpoint = String((await dynalite.ready(READY_TIMEOUT_MS)).endpoint);
    }
    const ledger = new DeliveryLedger();
    if (!options.engineOnly) {
      const clientConfig = new KinesisClientLibConfig('kcl-bench-scale', streamName, LOCAL_REGION)
        .withKinesisEndpoint(kinesisEndpoint)
        .withKinesisCredentials({ ...LOCAL_CREDENTIALS });
      kinesis = createKinesisClient(clientConfig);
      await createTestStream(kinesis, { shardCount: options.shards, name: streamName, timeoutMs: STREAM_ACTIVE_TIMEOUT_MS });
      const hashKeys = await shardStartingHashKeys(kinesis, streamName);
      producer = new ScaleProducer(kinesis, streamName, hashKeys, options.rate, (shardId, seq) => ledger.produced(shardId, seq));
      producer.start();
    }
    // The machine floor: an idle Node process measuring its own event-loop delay like the workers, from here (the
    // servers are up, the stream exists) to the end of the last phase. Without it the run goes on, phases say null.
    try {
      floor = await MachineFloorProbe.start(READY_TIMEOUT_MS);
    } catch (error) {
      progress(`machine-floor probe did not start (phases will show none): ${error instanceof Error ? error.message : String(error)}`);
    }
    setupMillis = performance.now() - runStarted;

    const settings = (index: number): ScaleWorkerSettings => ({
      workerId: `worker-${index}`,
      applicationName: `bench-scale-${stamp}`,
      streamName,
      tableName: `bench-scale-${stamp}`,
      kinesisEndpoint,
      backend: options.backend,
      redisAddress: redis?.address,
      dynamoEndpoint,
      stealing: options.stealing,
      sdkGetRecords: options.sdkGetRecords,
      heartbeatMillis: HEARTBEAT_MILLIS,
      reportDeliveries: !options.engineOnly,
    });
    const watcher = new FairShareWatcher(options.shards);
    let redisBefore: CommandStats | undefined = redis ? await fetchCommandStats(redis.host, redis.port) : undefined;
    let phaseStarted = performance.now();
    for (let k = 1; k <= options.workers; k++) {
      if (remaining() < options.phaseSeconds * 1000) {
        aborted = `hard time bound (--max-seconds ${options.maxSeconds}) leaves no time for phase ${k}`;
        break;
      }
      const worker = new ScaleWorkerProcess(settings(k));
      worker.onHeld = (count, at) => watcher.observe(worker.workerId, count, at);
      worker.onDelivered = (batch) => ledger.delivered(batch);
      workers.push(worker);
      const ids = workers.map((w) => w.workerId);
      watcher.startPhase(ids, undefined);
      const phaseEnd = phaseStarted + options.phaseSeconds * 1000;
      let joinedAt: number | undefined;
      try {
        joinedAt = await worker.ready(Math.min(READY_TIMEOUT_MS, Math.max(1_000, remaining())));
        watcher.joined(joinedAt);
      } catch (error) {
        aborted = `${worker.workerId} did not start: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (aborted === null) {
        // The steady part of the phase starts once the fair share has held for STEADY_SETTLE_MILLIS (if the phase
        // has at least that long left): every worker then measures ELD, CPU and calls from there to the phase end.
        let marked = false;
        await waitUntil(Math.min(phaseEnd, deadline), () => {
          const reached = watcher.reachedAfterMillis();
          const at = performance.now();
          if (
            !marked &&
            reached !== undefined &&
            joinedAt !== undefined &&
            at >= joinedAt + reached + STEADY_SETTLE_MILLIS &&
            phaseEnd - at >= STEADY_SETTLE_MILLIS
          ) {
            marked = true;
            for (const w of workers) if (!w.exited) w.mark();
            floor?.mark();
          }
          return worker.failure !== undefined;
        });
        if (worker.failure !== undefined) aborted = `${worker.workerId}: start() failed: ${worker.failure}`;
      }
      const [snapshots, machineFloor] = await Promise.all([
        Promise.all(workers.map((w) => (w.exited ? Promise.resolve(undefined) : w.snapshot(SNAPSHOT_TIMEOUT_MS)))),
        floor?.snapshot(SNAPSHOT_TIMEOUT_MS),
      ]);
      const now = performance.now();
      const millis = now - phaseStarted;
      let leaseStore: LeaseStoreLoad;
      if (redis) {
        const after = await fetchCommandStats(redis.host, redis.port);
        leaseStore = redisLoad(commandStatsDelta(redisBefore!, after, millis));
        redisBefore = after;
      } else {
        leaseStore = dynamoLoad(snapshots, millis);
      }
      const reached = watcher.reachedAfterMillis();
      const phase = buildPhase({
        phase: k,
        workerIds: ids,
        millis,
        fairShare: {
          ...fairShareRange(options.shards, k),
          reachedAfterMillis: reached ?? null,
          limitMillis: joinedAt === undefined ? 0 : now - joinedAt,
        },
        snapshots,
        held: watcher.counts(),
        leaseStore,
        machineFloor,
      });
      phases.push(phase);
      progress(phaseLine(phase));
      phaseStarted = now;
      if (aborted !== null) break;
      if (remaining() <= 0) {
        aborted = `hard time bound (--max-seconds ${options.maxSeconds}) reached in phase ${k}`;
        break;
      }
    }
    // Only the phases are measured against the floor; the finally block stops it too when a phase threw.
    await floor?.stop().catch(() => undefined);

    if (producer) {
      const producerStats = await producer.stop();
      const drainStarted = performance.now();
      progress(`producer stopped after ${producerStats.put} records; waiting up to ${options.drainSeconds} s for delivery...`);
      await waitUntil(Math.min(drainStarted + options.drainSeconds * 1000, deadline), () => ledger.pending() === 0);
      const drainMillis = performance.now() - drainStarted;
      await stopWorkers(workers, remaining, progress);
      delivery = { ...ledger.summary(), producer: producerStats, drainMillis };
    } else {
      await stopWorkers(workers, remaining, progress);
    }
  } finally {
    await producer?.stop().catch(() => undefined);
    await Promise.all(workers.map((w) => w.kill().catch(() => undefined)));
    await floor?.stop().catch(() => undefined);
    kinesis?.destroy();
    await redis?.stop().catch(() => undefined);
    await dynalite?.stop().catch(() => undefined);
    await standIn?.stop().catch(() => undefined);
    await kinesalite?.stop().catch(() => undefined);
  }
  return {
    options,
    kinesis: options.engineOnly ? 'stand-in' : 'kinesalite',
    setupMillis,
    phases,
    workers: workers.map((w) => ({
      workerId: w.workerId,
      startMillis: w.startMillis ?? null,
      heldAtStart: w.heldAtStart ?? null,
      shutdownMillis: w.shutdownMillis ?? null,
      failure: w.failure ?? null,
      stderr: w.failure !== undefined || w.shutdownMillis === undefined ? w.stderr() : [],
    })),
    delivery,
    aborted,
    totalMillis: performance.now() - runStarted,
  };
}

/** Polls `done` every 100 ms until it is true or `until` (performance.now()) passed. */
async function waitUntil(until: number, done: () => boolean): Promise<void> {
  while (!done()) {
    const left = until - performance.now();
    if (left <= 0) return;
    await sleep(Math.min(100, left));
  }
}

async function stopWorkers(workers: readonly ScaleWorkerProcess[], remaining: () => number, progress: ProgressSink): Promise<void> {
  progress(`shutting ${workers.length} worker(s) down...`);
  const timeout = Math.max(1_000, Math.min(STOP_TIMEOUT_MS, remaining()));
  await Promise.all(workers.map((w) => w.stop(timeout)));
}

function phaseLine(phase: ScalePhaseResult): string {
  const fair = phase.fairShare.reachedAfterMillis;
  return (
    `phase ${phase.phase} (${phase.workers} worker(s)): fair share ${fair === null ? `not reached within ${Math.round(phase.fairShare.limitMillis / 1000)} s` : `after ${Math.round(fair)} ms`}; ` +
    `held ${phase.workerFigures.map((w) => w.held).join('/')}; lease store ${Math.round(phase.leaseStore.totalPerSecond)}/s; ` +
    `Kinesis ${Math.round(phase.kinesis.totalPerSecond)}/s; workers' CPU ${Math.round(phase.totalCpuPercent)} %`
  );
}

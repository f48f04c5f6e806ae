/** Figures of one phase of `pnpm bench:scale`, put together from the workers' snapshots. Pure. */
import { storeReads } from './scale-call-counter';
import type { CommandRate, CommandStatsDelta } from './scale-commandstats';
import type { FairShareRange } from './scale-fair-share';
import type { MachineFloorSnapshot } from './scale-floor-protocol';
import type { SteadyFigures, WorkerSnapshot } from './scale-worker-protocol';

export interface OperationRate {
  operation: string;
  calls: number;
  perSecond: number;
}

export type LeaseStoreLoad =
  | {
      kind: 'redis-commandstats';
      /** Commands per second at the server (INFO commandstats deltas; the bench's own INFO left out). */
      totalCalls: number;
      totalPerSecond: number;
      commands: CommandRate[];
    }
  | {
      kind: 'dynamodb-requests';
      /** DynamoDB calls per operation, counted by an SDK middleware in the worker processes (answered or failed). */
      totalCalls: number;
      totalPerSecond: number;
      operations: OperationRate[];
      failures: number;
      /** Sum of ConsumedCapacity.CapacityUnits (ReturnConsumedCapacity TOTAL); null when no answer carried it. */
      consumedCapacityUnits: number | null;
      consumedCapacityPerSecond: number | null;
    };

export interface WorkerPhaseFigures {
  workerId: string;
  /** False when the worker did not answer the snapshot (overloaded or gone): its figures are missing. */
  answered: boolean;
  held: number;
  rssMb?: number;
  rssPeakMb?: number;
  heapUsedMb?: number;
  eventLoopDelayP99Millis?: number;
  eventLoopDelayMaxMillis?: number;
  cpuPercent?: number;
  errors?: number;
  leasesAcquired?: number;
  leasesLost?: number;
  firstError?: string | undefined;
  /** Figures of the steady part of the phase (from fair share + settle time to the end), if it had one. */
  steady?: SteadyFigures | undefined;
}

export interface ScalePhaseResult {
  /** Phase k starts when the k-th worker joins. */
  phase: number;
  workers: number;
  joinedWorker: string;
  millis: number;
  fairShare: FairShareRange & {
    /** From the joining worker's start() call to the first fair distribution; null when not reached in the phase. */
    reachedAfterMillis: number | null;
    /** How long the phase gave it (from that start() call to the phase's end). */
    limitMillis: number;
  };
  leaseStore: LeaseStoreLoad;
  /** Kinesis calls of all workers, counted by an SDK middleware in each worker process. */
  kinesis: { totalCalls: number; totalPerSecond: number; operations: OperationRate[] };
  workerFigures: WorkerPhaseFigures[];
  /** Sum of the workers' CPU % (100 = one core). */
  totalCpuPercent: number;
  /** Lease-store read requests as the workers sent them (see {@link StoreReadFigures}). */
  storeReads: StoreReadFigures;
  /**
   * Event-loop delay of an idle Node process (the machine-floor probe) over the same phase and steady part as the
   * workers' figures: what the OS scheduler alone costs on the machine meanwhile. Null when the probe did not answer
   * (or did not start).
   */
  machineFloor: MachineFloorSnapshot | null;
}

/**
 * Lease-store reads of all workers together, counted on the client side (each worker's own requests: Redis commands
 * HGETALL / HGET / HMGET / SMEMBERS / SSCAN / EXISTS, a Lua script not counted as a read; DynamoDB GetItem / Scan /
 * Query / BatchGetItem / DescribeTable requests and the read capacity they consumed).
 */
export interface StoreReadFigures {
  /** Over the whole phase. */
  perSecond: number;
  /** Over the steady part (sum of each worker's rate since its mark); null unless every worker had a steady part. */
  steadyPerSecond: number | null;
  /** DynamoDB: read capacity units per second in the steady part; null for Redis or without ConsumedCapacity. */
  steadyReadCapacityPerSecond: number | null;
}

/** The lease-store read figures of a phase from the workers' snapshots. */
export function storeReadFigures(snapshots: readonly (WorkerSnapshot | undefined)[], millis: number): StoreReadFigures {
  const reads = snapshots.reduce((sum, s) => sum + storeReads(s?.storeCalls), 0);
  const everySteady = snapshots.length > 0 && snapshots.every((s) => s?.steady !== undefined && s.steady.intervalMillis > 0);
  const rate = (n: number, ms: number): number => (n * 1000) / ms;
  const steadyPerSecond = everySteady
    ? snapshots.reduce((sum, s) => sum + rate(storeReads(s!.steady!.storeCalls), s!.steady!.intervalMillis), 0)
    : null;
  const withCapacity = everySteady && snapshots.every((s) => s!.steady!.readCapacityUnits !== undefined);
  const steadyReadCapacityPerSecond = withCapacity
    ? snapshots.reduce((sum, s) => sum + rate(s!.steady!.readCapacityUnits!, s!.steady!.intervalMillis), 0)
    : null;
  return { perSecond: millis > 0 ? rate(reads, millis) : 0, steadyPerSecond, steadyReadCapacityPerSecond };
}

/** Adds per-operation counts up and turns them into rates over `millis`, busiest first. */
export function sumOperations(counts: readonly (Record<string, number> | undefined)[], millis: number): OperationRate[] {
  const totals = new Map<string, number>();
  for (const entry of counts)
    for (const [operation, calls] of Object.entries(entry ?? {})) totals.set(operation, (totals.get(operation) ?? 0) + calls);
  return [...totals]
    .map(([operation, calls]) => ({ operation, calls, perSecond: millis > 0 ? (calls * 1000) / millis : 0 }))
    .sort((a, b) => b.calls - a.calls || a.operation.localeCompare(b.operation));
}

/** The lease-store load of a DynamoDB phase, from the workers' snapshots. */
export function dynamoLoad(snapshots: readonly (WorkerSnapshot | undefined)[], millis: number): LeaseStoreLoad {
  const operations = sumOperations(
    snapshots.map((s) => s?.storeCalls),
    millis,
  );
  const totalCalls = operations.reduce((sum, o) => sum + o.calls, 0);
  const failures = sumOperations(
    snapshots.map((s) => s?.storeFailures),
    millis,
  ).reduce((sum, o) => sum + o.calls, 0);
  const withCapacity = snapshots.reduce((sum, s) => sum + (s?.answersWithCapacity ?? 0), 0);
  const units = snapshots.reduce((sum, s) => sum + (s?.consumedCapacityUnits ?? 0), 0);
  return {
    kind: 'dynamodb-requests',
    totalCalls,
    totalPerSecond: millis > 0 ? (totalCalls * 1000) / millis : 0,
    operations,
    failures,
    consumedCapacityUnits: withCapacity > 0 ? units : null,
    consumedCapacityPerSecond: withCapacity > 0 && millis > 0 ? (units * 1000) / millis : null,
  };
}

/** The lease-store load of a Redis phase, from the INFO commandstats delta. */
export function redisLoad(delta: CommandStatsDelta): LeaseStoreLoad {
  return { kind: 'redis-commandstats', totalCalls: delta.totalCalls, totalPerSecond: delta.totalPerSecond, commands: delta.commands };
}

/** One phase's figures. `snapshots[i]` belongs to `workerIds[i]` (undefined: no answer); `held` = latest counts. */
export function buildPhase(input: {
  phase: number;
  workerIds: readonly string[];
  millis: number;
  fairShare: ScalePhaseResult['fairShare'];
  snapshots: readonly (WorkerSnapshot | undefined)[];
  held: readonly number[];
  leaseStore: LeaseStoreLoad;
  /** The machine-floor probe's snapshot of the phase; undefined or null when it did not answer. */
  machineFloor?: MachineFloorSnapshot | null | undefined;
}): ScalePhaseResult {
  const operations = sumOperations(
    input.snapshots.map((s) => s?.kinesisCalls),
    input.millis,
  );
  const totalCalls = operations.reduce((sum, o) => sum + o.calls, 0);
  const workerFigures = input.workerIds.map((workerId, i): WorkerPhaseFigures => {
    const s = input.snapshots[i];
    if (!s) return { workerId, answered: false, held: input.held[i] ?? 0 };
    return {
      workerId,
      answered: true,
      held: s.held,
      rssMb: s.rssMb,
      rssPeakMb: s.rssPeakMb,
      heapUsedMb: s.heapUsedMb,
      eventLoopDelayP99Millis: s.eventLoopDelayP99Millis,
      eventLoopDelayMaxMillis: s.eventLoopDelayMaxMillis,
      cpuPercent: s.cpuPercent,
      errors: s.errors,
      leasesAcquired: s.leasesAcquired,
      leasesLost: s.leasesLost,
      firstError: s.firstError,
      steady: s.steady,
    };
  });
  return {
    phase: input.phase,
    workers: input.workerIds.length,
    joinedWorker: input.workerIds[input.workerIds.length - 1] ?? '',
    millis: input.millis,
    fairShare: input.fairShare,
    leaseStore: input.leaseStore,
    kinesis: { totalCalls, totalPerSecond: input.millis > 0 ? (totalCalls * 1000) / input.millis : 0, operations },
    workerFigures,
    totalCpuPercent: input.snapshots.reduce((sum, s) => sum + (s?.cpuPercent ?? 0), 0),
    storeReads: storeReadFigures(input.snapshots, input.millis),
    machineFloor: input.machineFloor ?? null,
  };
}

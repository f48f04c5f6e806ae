/**
 * The fault schedule of a chaos run, generated from its seed: what happens when (ms after the producer starts).
 * The same seed and the same shape options give the same schedule (`--seed N` replays a run).
 *
 * Process faults (SIGKILL + restart, SIGSTOP + SIGCONT) get one time slot each (equal slots over the window, the
 * fault in the first 70 % of its slot), so they seldom overlap; lease-store faults (Redis restart, partition, reset, latency) get slots of their own too; the split and
 * the merge come at about a third and two thirds of the producing window; Kinesis faults are windows during which
 * every worker's SDK client fails a share of its calls.
 */
import { Prng } from './prng';

export type ProcessFaultKind = 'kill' | 'pause';
export type ReshardKind = 'split' | 'merge';
export type StoreFaultKind = 'redis-restart' | 'store-partition' | 'store-reset' | 'store-latency';
export type KinesisFaultKind = 'kinesis-throttle' | 'kinesis-expired-iterator' | 'kinesis-5xx';
export type FaultKind = ProcessFaultKind | ReshardKind | StoreFaultKind | KinesisFaultKind;

export const KINESIS_FAULT_KINDS: readonly KinesisFaultKind[] = ['kinesis-throttle', 'kinesis-expired-iterator', 'kinesis-5xx'];

export interface ScheduledFault {
  kind: FaultKind;
  /** Ms after the producer started. */
  at: number;
  /**
   * Worker slot (0-based) for process faults. For `pause` it is the preferred victim: the coordinator pauses the first
   * worker from this slot on that holds a lease. Kinesis fault windows apply to every worker.
   */
  worker?: number;
  /** How long the fault lasts (pause, outage, partition, latency, Kinesis window; the down time before a restart). */
  durationMs?: number;
  /** Added one-way latency per chunk (store-latency). */
  latencyMs?: number;
  /** Share of matching SDK calls that fail (Kinesis windows). */
  rate?: number;
  /** A number in [0, 1) that picks the shard(s) of a split or merge among the open ones at that moment. */
  pick?: number;
}

export interface ChaosSchedule {
  seed: number;
  /** Ms the producer writes for; every fault starts inside it. */
  windowMs: number;
  faults: ScheduledFault[];
  /** Chance that one processRecords call throws (the batch must be delivered again). */
  processorThrowRate: number;
  /** Chance that a batch is checkpointed at a user record inside it instead of at its end. */
  midBatchCheckpointRate: number;
}

export type LeaseBackend = 'dynamodb' | 'redis' | 'redis-cluster';

export interface ScheduleShape {
  seed: number;
  windowMs: number;
  workers: number;
  backend: LeaseBackend;
  failoverMillis: number;
  /** SIGKILL + restart faults. */
  kills: number;
  /** SIGSTOP + SIGCONT faults. */
  pauses: number;
  /** Lease-store faults of each kind (Redis restarts only on the single-server Redis backend). */
  storeFaultsPerKind: number;
  /** Kinesis fault windows of each kind. */
  kinesisWindowsPerKind: number;
}

/** Generates the schedule of a run. Pure: depends only on `shape`. */
export function generateSchedule(shape: ScheduleShape): ChaosSchedule {
  const root = new Prng(shape.seed);
  const faults: ScheduledFault[] = [];
  const { windowMs, workers, failoverMillis } = shape;
  // Faults start between 8 % and 80 % of the window, so the run also sees calm stretches and a calm end.
  const from = windowMs * 0.08;
  const to = windowMs * 0.8;

  const processPrng = root.derive('process');
  const processKinds: ProcessFaultKind[] = [
    ...Array.from({ length: shape.kills }, () => 'kill' as const),
    ...Array.from({ length: shape.pauses }, () => 'pause' as const),
  ];
  shuffle(processKinds, processPrng);
  placeInSlots(processKinds.length, from, to, processPrng).forEach((at, i) => {
    const kind = processKinds[i] as ProcessFaultKind;
    const worker = processPrng.int(0, workers - 1);
    if (kind === 'kill') faults.push({ kind, at, worker, durationMs: Math.round(processPrng.range(300, 2_000)) });
    else faults.push({ kind, at, worker, durationMs: Math.round(failoverMillis + processPrng.range(1_000, 2_500)) });
  });

  const reshardPrng = root.derive('reshard');
  faults.push({ kind: 'split', at: Math.round(windowMs * reshardPrng.range(0.25, 0.35)), pick: reshardPrng.next() });
  faults.push({ kind: 'merge', at: Math.round(windowMs * reshardPrng.range(0.55, 0.65)), pick: reshardPrng.next() });

  const storePrng = root.derive('store');
  const storeKinds: StoreFaultKind[] = [];
  for (let i = 0; i < shape.storeFaultsPerKind; i++) {
    if (shape.backend === 'redis') storeKinds.push('redis-restart');
    storeKinds.push('store-partition', 'store-reset', 'store-latency');
  }
  shuffle(storeKinds, storePrng);
  placeInSlots(storeKinds.length, from, to, storePrng).forEach((at, i) => {
    const kind = storeKinds[i] as StoreFaultKind;
    switch (kind) {
      case 'redis-restart':
        faults.push({ kind, at, durationMs: Math.round(storePrng.range(500, 2_500)) });
        break;
      case 'store-partition':
        // Sometimes shorter than the failover time (renewals retry through it), sometimes longer (every lease expires).
        faults.push({ kind, at, durationMs: Math.round(failoverMillis * storePrng.range(0.4, 1.6)) });
        break;
      case 'store-reset':
        faults.push({ kind, at, durationMs: Math.round(storePrng.range(200, 1_500)) });
        break;
      case 'store-latency':
        faults.push({
          kind,
          at,
          durationMs: Math.round(storePrng.range(2_000, 6_000)),
          latencyMs: Math.round(storePrng.range(50, Math.max(60, failoverMillis / 6))),
        });
        break;
    }
  });

  const kinesisPrng = root.derive('kinesis');
  for (const kind of KINESIS_FAULT_KINDS) {
    for (let i = 0; i < shape.kinesisWindowsPerKind; i++) {
      faults.push({
        kind,
        at: Math.round(kinesisPrng.range(from, to)),
        durationMs: Math.round(kinesisPrng.range(2_000, 5_000)),
        rate: kind === 'kinesis-expired-iterator' ? 0.3 : 0.5,
      });
    }
  }

  faults.sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind));
  const misc = root.derive('processor');
  return {
    seed: shape.seed,
    windowMs,
    faults,
    processorThrowRate: Math.round(misc.range(0.01, 0.03) * 1000) / 1000,
    midBatchCheckpointRate: 0.2,
  };
}

/** `count` times in [from, to): one per equal slot, at a random point of its first 70 %. */
function placeInSlots(count: number, from: number, to: number, prng: Prng): number[] {
  if (count === 0) return [];
  const slot = (to - from) / count;
  return Array.from({ length: count }, (_, i) => Math.round(from + i * slot + prng.range(0, slot * 0.7)));
}

function shuffle<T>(items: T[], prng: Prng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
}

/** The Kinesis fault windows of the schedule (every worker process applies them to its own SDK client). */
export function kinesisWindows(schedule: ChaosSchedule): ScheduledFault[] {
  return schedule.faults.filter((f) => (KINESIS_FAULT_KINDS as readonly string[]).includes(f.kind));
}

/** Faults per kind, for the report. */
export function countByKind(faults: ReadonlyArray<{ kind: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of faults) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  return counts;
}

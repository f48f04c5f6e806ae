/**
 * The chaos run as the invariants see it: the logs grouped into lease tenures (one processor instance of one worker
 * incarnation on one shard), the produced records per shard in stream order, and the final state of the stream and
 * of the lease table.
 */
import type {
  AppliedFault,
  BatchLine,
  CheckpointLine,
  EventLine,
  FinalLease,
  FinalShard,
  InitLine,
  ProducedRecord,
  ShutdownLine,
  WorkerLine,
} from '../log-lines';
import { compareRecords, isCovered, type RecordPosition } from '../positions';

/** Everything a chaos run leaves behind for the checker. */
export interface ChaosRunData {
  produced: ProducedRecord[];
  /** Every line of every worker log (any order). */
  lines: WorkerLine[];
  faults: AppliedFault[];
  finalLeases: FinalLease[];
  finalShards: FinalShard[];
  /** The worker ids of the run (every incarnation uses its slot's id). */
  workerIds: string[];
  /** Lease retention rule: how long a lease of a shard no longer listed by ListShards may stay (ms). */
  retentionMillis: number;
  /** When the run started (ms, same clock as the logs). */
  startedAt: number;
  /** When the checker ran (ms, same clock). */
  checkedAt: number;
}

/** One processor instance: a worker incarnation's lease on one shard, from the take to the processor's shutdown. */
export interface Tenure {
  id: string;
  worker: string;
  inc: string;
  shard: string;
  /**
   * When the lease could first have been held: the leaseAcquired event before the init (if logged), else the init.
   */
  start: number;
  init: InitLine | undefined;
  /** processRecords calls in call order (failed attempts included). */
  batches: BatchLine[];
  checkpoints: CheckpointLine[];
  shutdown: ShutdownLine | undefined;
}

export class RunModel {
  readonly data: ChaosRunData;
  readonly tenures: Tenure[];
  /** Tenures per shard, by start time. */
  readonly tenuresByShard = new Map<string, Tenure[]>();
  /** Produced records per shard in stream order. */
  readonly producedByShard = new Map<string, ProducedRecord[]>();
  readonly producedById = new Map<number, ProducedRecord>();
  readonly events: EventLine[];
  private readonly indexByShard = new Map<string, Map<string, number>>();

  constructor(data: ChaosRunData) {
    this.data = data;
    const lines = [...data.lines].sort((a, b) => a.at - b.at);
    this.events = lines.filter((l): l is EventLine => l.t === 'event');
    this.tenures = buildTenures(lines, this.events);
    for (const tenure of this.tenures) push(this.tenuresByShard, tenure.shard, tenure);
    for (const list of this.tenuresByShard.values()) list.sort((a, b) => a.start - b.start);
    for (const record of data.produced) {
      this.producedById.set(record.id, record);
      push(this.producedByShard, record.shard, record);
    }
    for (const [shard, list] of this.producedByShard) {
      list.sort(compareRecords);
      this.indexByShard.set(shard, new Map(list.map((r, i) => [key(r), i])));
    }
  }

  /** Index of a record in its shard's stream order, or undefined if it was never produced there. */
  indexOf(shard: string, record: RecordPosition): number | undefined {
    return this.indexByShard.get(shard)?.get(key(record));
  }

  /** The first produced record of `shard` not covered by `position` (undefined: none left). */
  firstAfter(shard: string, position: InitLine['pos'] | undefined): ProducedRecord | undefined {
    const list = this.producedByShard.get(shard) ?? [];
    if (position === null || position === undefined) return list[0];
    if (position === 'SHARD_END') return undefined;
    return list.find((r) => !isCovered(r, position));
  }

  /** Batches that the processor accepted (did not throw), with their tenure, in time order. */
  acceptedBatches(): Array<{ batch: BatchLine; tenure: Tenure }> {
    const all = this.tenures.flatMap((tenure) => tenure.batches.filter((b) => !b.fail).map((batch) => ({ batch, tenure })));
    return all.sort((a, b) => a.batch.at - b.batch.at);
  }
}

function key(record: RecordPosition): string {
  return `${record.seq}/${record.sub ?? ''}`;
}

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

function buildTenures(lines: WorkerLine[], events: EventLine[]): Tenure[] {
  const byId = new Map<string, Tenure>();
  const get = (line: { w: string; inc: string; ten: string; shard: string; at: number }): Tenure => {
    let tenure = byId.get(line.ten);
    if (!tenure) {
      tenure = {
        id: line.ten,
        worker: line.w,
        inc: line.inc,
        shard: line.shard,
        start: line.at,
        init: undefined,
        batches: [],
        checkpoints: [],
        shutdown: undefined,
      };
      byId.set(line.ten, tenure);
    }
    return tenure;
  };
  for (const line of lines) {
    switch (line.t) {
      case 'init':
        get(line).init = line;
        break;
      case 'batch':
        get(line).batches.push(line);
        break;
      case 'cp':
        get(line).checkpoints.push(line);
        break;
      case 'shutdown':
        get(line).shutdown = line;
        break;
      default:
        break;
    }
  }
  const acquired = events.filter((e) => e.name === 'leaseAcquired');
  for (const tenure of byId.values()) {
    const initAt = tenure.init?.at ?? tenure.start;
    // The take completes before leaseAcquired is emitted, which is before initialize(): use the latest such event.
    let best: number | undefined;
    for (const e of acquired) {
      if (e.inc === tenure.inc && e.shard === tenure.shard && e.at <= initAt && (best === undefined || e.at > best)) best = e.at;
    }
    tenure.start = Math.min(initAt, best ?? initAt);
  }
  return [...byId.values()];
}

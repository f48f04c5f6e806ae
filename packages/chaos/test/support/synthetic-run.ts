/**
 * Builds synthetic chaos logs for the invariant tests: a clean run that passes every invariant, which each test then
 * breaks in one specific way.
 */
import type { BatchLine, CheckpointPosition, DeliveredRecord, FinalLease, FinalShard, ProducedRecord, WorkerLine } from '../../src/log-lines';
import type { ChaosRunData } from '../../src/invariants';

export const T0 = 1_700_000_000_000;

/** Sequence number `n` of a shard: 56 digits like Kinesis's, increasing with n. */
export function seqOf(shardIndex: number, n: number): string {
  return `4960${String(shardIndex).padStart(4, '0')}${String(n).padStart(48, '0')}`;
}

export class TenureBuilder {
  constructor(
    private readonly run: RunBuilder,
    readonly id: string,
    readonly worker: string,
    readonly inc: string,
    readonly shard: string,
  ) {}

  init(at: number, pos: CheckpointPosition | 'SHARD_END' | null): this {
    this.run.lines.push({ t: 'init', at, w: this.worker, inc: this.inc, ten: this.id, shard: this.shard, pos });
    return this;
  }

  acquired(at: number): this {
    this.run.lines.push({ t: 'event', at, w: this.worker, inc: this.inc, name: 'leaseAcquired', shard: this.shard });
    return this;
  }

  deliver(at: number, records: ProducedRecord[], options: { fail?: boolean } = {}): this {
    const recs: DeliveredRecord[] = records.map((r) => [r.id, r.seq, r.sub]);
    const line: BatchLine = { t: 'batch', at, w: this.worker, inc: this.inc, ten: this.id, shard: this.shard, recs };
    if (options.fail) line.fail = true;
    this.run.lines.push(line);
    return this;
  }

  /** A successful (or failed) checkpoint at the last of `records` (whole record), or SHARD_END. */
  checkpoint(at: number, pos: ProducedRecord | CheckpointPosition | 'SHARD_END', ok = true): this {
    const position = pos === 'SHARD_END' ? pos : { seq: pos.seq, sub: 'id' in pos ? null : pos.sub };
    this.run.lines.push({ t: 'cp', at, w: this.worker, inc: this.inc, ten: this.id, shard: this.shard, pos: position, ok });
    return this;
  }

  shutdown(at: number, reason: 'REQUESTED' | 'TERMINATE' | 'ZOMBIE'): this {
    this.run.lines.push({ t: 'shutdown', at, w: this.worker, inc: this.inc, ten: this.id, shard: this.shard, reason });
    return this;
  }
}

export class RunBuilder {
  readonly produced: ProducedRecord[] = [];
  readonly lines: WorkerLine[] = [];
  readonly finalLeases: FinalLease[] = [];
  readonly finalShards: FinalShard[] = [];
  private nextId = 0;
  private tenures = 0;

  /** Puts `count` records on shard `shardIndex` (plain, or one aggregate of `count` user records). */
  produce(shardIndex: number, count: number, options: { aggregate?: boolean; startAt?: number } = {}): ProducedRecord[] {
    const shard = shardName(shardIndex);
    const existing = this.produced.filter((r) => r.shard === shard).length;
    const out: ProducedRecord[] = [];
    for (let i = 0; i < count; i++) {
      const n = options.aggregate ? existing : existing + i;
      out.push({ id: this.nextId++, shard, seq: seqOf(shardIndex, n + (options.startAt ?? 0)), sub: options.aggregate ? i : null, at: T0 });
    }
    this.produced.push(...out);
    return out;
  }

  tenure(worker: string, inc: string, shardIndex: number): TenureBuilder {
    return new TenureBuilder(this, `${inc}#${++this.tenures}`, worker, inc, shardName(shardIndex));
  }

  shard(shardIndex: number, parents: number[] = [], closed = false): this {
    this.finalShards.push({
      shard: shardName(shardIndex),
      parents: parents.map(shardName),
      endingSeq: closed ? seqOf(shardIndex, 999_999) : undefined,
    });
    return this;
  }

  lease(shardIndex: number, checkpoint: ProducedRecord | 'SHARD_END' | undefined, options: { owner?: string; parents?: number[] } = {}): this {
    this.finalLeases.push({
      shard: shardName(shardIndex),
      checkpoint: checkpoint === undefined ? undefined : checkpoint === 'SHARD_END' ? 'SHARD_END' : checkpoint.seq,
      sub: undefined,
      owner: options.owner,
      parents: (options.parents ?? []).map(shardName),
    });
    return this;
  }

  build(): ChaosRunData {
    return {
      produced: this.produced,
      lines: this.lines,
      faults: [],
      finalLeases: this.finalLeases,
      finalShards: this.finalShards,
      workerIds: ['w1', 'w2', 'w3'],
      retentionMillis: 24 * 3_600_000,
      startedAt: T0,
      checkedAt: T0 + 60_000,
    };
  }
}

export function shardName(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

/**
 * A clean run: shard 0 has 6 records read by w1 in two batches, then w1 is killed and w2 resumes after the
 * checkpoint of the first batch (records 3-5 delivered twice, as at-least-once allows); shard 1 has an aggregate of
 * 3 user records and 2 plain records, read by w2 with one failed call that is retried. Both shards stay open.
 */
export function cleanRun(): { run: RunBuilder; s0: ProducedRecord[]; s1: ProducedRecord[] } {
  const run = new RunBuilder();
  const s0 = run.produce(0, 6);
  const s1 = [...run.produce(1, 3, { aggregate: true }), ...run.produce(1, 2)];
  run.shard(0).shard(1);
  const a = run
    .tenure('w1', 'w1/100', 0)
    .acquired(T0 + 10)
    .init(T0 + 11, null);
  a.deliver(T0 + 20, s0.slice(0, 3)).checkpoint(T0 + 21, s0[2]!);
  a.deliver(T0 + 30, s0.slice(3, 6)); // killed before its checkpoint
  const b = run
    .tenure('w2', 'w2/200', 0)
    .acquired(T0 + 5_000)
    .init(T0 + 5_001, { seq: s0[2]!.seq, sub: null });
  b.deliver(T0 + 5_010, s0.slice(3, 6))
    .checkpoint(T0 + 5_011, s0[5]!)
    .shutdown(T0 + 9_000, 'REQUESTED');
  const c = run
    .tenure('w2', 'w2/200', 1)
    .acquired(T0 + 10)
    .init(T0 + 12, null);
  c.deliver(T0 + 20, s1.slice(0, 3), { fail: true })
    .deliver(T0 + 600, s1.slice(0, 3))
    .checkpoint(T0 + 601, s1[2]!);
  c.deliver(T0 + 700, s1.slice(3))
    .checkpoint(T0 + 701, s1[4]!)
    .shutdown(T0 + 9_000, 'REQUESTED');
  run.lease(0, s0[5]).lease(1, s1[4]);
  return { run, s0, s1 };
}

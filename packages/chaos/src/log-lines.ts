/**
 * What a chaos run writes down. Every worker process appends one JSON line per event to its own log file
 * (`workers/<workerId>.jsonl`, shared by that worker's incarnations); the coordinator keeps the produced records and
 * the faults it applied. Times (`at`) are wall-clock milliseconds with sub-millisecond precision
 * (`performance.timeOrigin + performance.now()`), comparable across the processes of one machine.
 *
 * Record positions: `seq` is the Kinesis sequence number; `sub` the index of a user record inside a KPL aggregate, or
 * null for a record that was not aggregated.
 */

/** One record position as delivered: `[recordId, sequenceNumber, subSequenceNumber | null]`. */
export type DeliveredRecord = [id: number, seq: string, sub: number | null];

/**
 * A checkpoint position: `sub` null means the whole Kinesis record (every user record of an aggregate), as
 * `checkpoint()` without arguments writes it.
 */
export interface CheckpointPosition {
  seq: string;
  sub: number | null;
}

/** The worker process started (one incarnation). */
export interface StartLine {
  t: 'start';
  at: number;
  w: string;
  inc: string;
  pid: number;
}

/** A processor was initialized for a lease tenure (`ten`), starting after `pos` (null: no checkpoint yet). */
export interface InitLine {
  t: 'init';
  at: number;
  w: string;
  inc: string;
  ten: string;
  shard: string;
  pos: CheckpointPosition | 'SHARD_END' | null;
}

/** processRecords was called (logged on entry, before the processor does anything). `fail`: it then threw. */
export interface BatchLine {
  t: 'batch';
  at: number;
  w: string;
  inc: string;
  ten: string;
  shard: string;
  recs: DeliveredRecord[];
  fail?: true;
}

/** The processor's checkpoint call returned (`ok`) or threw (`err`: the error's code or name). */
export interface CheckpointLine {
  t: 'cp';
  at: number;
  w: string;
  inc: string;
  ten: string;
  shard: string;
  pos: CheckpointPosition | 'SHARD_END';
  ok: boolean;
  err?: string;
}

/** shutdown(reason) was called on the processor. */
export interface ShutdownLine {
  t: 'shutdown';
  at: number;
  w: string;
  inc: string;
  ten: string;
  shard: string;
  reason: 'REQUESTED' | 'TERMINATE' | 'ZOMBIE';
}

/** A worker event (leaseAcquired, leaseLost, shardEnded, processorError, error). */
export interface EventLine {
  t: 'event';
  at: number;
  w: string;
  inc: string;
  name: string;
  shard?: string;
  reason?: string;
  op?: string;
  code?: string;
}

/** Cumulative lease-store calls of this incarnation, by Checkpointer method (written every few seconds). */
export interface OpsLine {
  t: 'ops';
  at: number;
  w: string;
  inc: string;
  ops: Record<string, number>;
}

/** Kinesis faults injected into this incarnation's SDK client so far, by kind. */
export interface InjectedLine {
  t: 'injected';
  at: number;
  w: string;
  inc: string;
  counts: Record<string, number>;
}

/** The worker shut down gracefully and the process is about to exit. */
export interface StoppedLine {
  t: 'stopped';
  at: number;
  w: string;
  inc: string;
}

export type WorkerLine = StartLine | InitLine | BatchLine | CheckpointLine | ShutdownLine | EventLine | OpsLine | InjectedLine | StoppedLine;

/** One user record the producer put, with where Kinesis stored it. */
export interface ProducedRecord {
  id: number;
  shard: string;
  seq: string;
  /** Index inside its KPL aggregate; null for a plain record. */
  sub: number | null;
  /** When PutRecords returned. */
  at: number;
}

/** A fault the coordinator applied (process faults, resharding, store faults) or scheduled into the workers. */
export interface AppliedFault {
  kind: string;
  /** When it began. */
  at: number;
  /** When it was undone (SIGCONT, restart, heal), if it has an end. */
  endAt?: number;
  /** Worker id for process faults. */
  worker?: string;
  /** Incarnation hit by a process fault. */
  inc?: string;
  detail?: string;
}

/** One lease row as read at the end of the run. */
export interface FinalLease {
  shard: string;
  checkpoint: string | undefined;
  sub: number | undefined;
  owner: string | undefined;
  parents: string[];
}

/** One shard as listed by ListShards at the end of the run. */
export interface FinalShard {
  shard: string;
  parents: string[];
  /** Set for a closed shard (split or merged). */
  endingSeq: string | undefined;
}

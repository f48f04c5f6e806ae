/**
 * Ordering of record positions and checkpoints. A record is `(seq, sub)` with `sub` null for a plain record; user
 * records of one KPL aggregate share `seq` and are ordered by `sub`. A checkpoint `(seq, null)` covers the whole
 * Kinesis record `seq` (every user record in it); `(seq, n)` covers user records up to and including `n`.
 */
import type { CheckpointPosition } from './log-lines';

export interface RecordPosition {
  seq: string;
  sub: number | null;
}

/** Negative if a < b, 0 if equal, positive if a > b (records only). */
export function compareRecords(a: RecordPosition, b: RecordPosition): number {
  const sa = BigInt(a.seq);
  const sb = BigInt(b.seq);
  if (sa !== sb) return sa < sb ? -1 : 1;
  return (a.sub ?? -1) - (b.sub ?? -1);
}

/** Compares two checkpoint positions (SHARD_END is after every record; a whole record after each of its parts). */
export function compareCheckpoints(a: CheckpointPosition | 'SHARD_END', b: CheckpointPosition | 'SHARD_END'): number {
  if (a === 'SHARD_END' || b === 'SHARD_END') return (a === 'SHARD_END' ? 1 : 0) - (b === 'SHARD_END' ? 1 : 0);
  const sa = BigInt(a.seq);
  const sb = BigInt(b.seq);
  if (sa !== sb) return sa < sb ? -1 : 1;
  const subA = a.sub ?? Number.POSITIVE_INFINITY;
  const subB = b.sub ?? Number.POSITIVE_INFINITY;
  return subA === subB ? 0 : subA < subB ? -1 : 1;
}

/** True if `checkpoint` (null: none) covers `record`, i.e. processing resumes after it. */
export function isCovered(record: RecordPosition, checkpoint: CheckpointPosition | 'SHARD_END' | null | undefined): boolean {
  if (checkpoint === null || checkpoint === undefined) return false;
  if (checkpoint === 'SHARD_END') return true;
  const sr = BigInt(record.seq);
  const sc = BigInt(checkpoint.seq);
  if (sr !== sc) return sr < sc;
  return checkpoint.sub === null || (record.sub ?? -1) <= checkpoint.sub;
}

/** Short text of a position for messages. */
export function formatPosition(position: RecordPosition | CheckpointPosition | 'SHARD_END' | null | undefined): string {
  if (position === null || position === undefined) return '(none)';
  if (position === 'SHARD_END') return 'SHARD_END';
  return position.sub === null ? `…${position.seq.slice(-8)}` : `…${position.seq.slice(-8)}/${position.sub}`;
}

/** The later of two checkpoints (null = none). */
export function maxCheckpoint(
  a: CheckpointPosition | 'SHARD_END' | null,
  b: CheckpointPosition | 'SHARD_END' | null,
): CheckpointPosition | 'SHARD_END' | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareCheckpoints(a, b) >= 0 ? a : b;
}

/**
 * The order of stored checkpoints, as every lease store enforces it (`checkpointSequence` never moves a checkpoint
 * backwards and SHARD_END is final). Stores implement the same rule in their own terms (a DynamoDB condition
 * expression, a Lua script); this is the reference the in-memory store uses and the conformance suite checks.
 *
 * Positions are (sequence number, sub-sequence number). Sequence numbers are decimal strings of any length (up to
 * 129 digits) without leading zeros, so they compare exactly by length first and then character by character (no
 * number type is wide enough). A missing sub-sequence number stands for the whole record and orders after every
 * sub-sequence number of the same record (see consumers/extended-sequence-number.ts).
 */
import { SHARD_END } from './shard-status';
import { InvalidArgumentError } from '../errors';
import { comparePositions, isValidSequenceNumber } from '../sequence-number';
import { primitiveText } from '../internal/primitive-text';

/** A checkpoint as stored: a sequence number or SHARD_END, plus the sub-sequence number inside a KPL aggregate. */
export interface StoredCheckpoint {
  checkpoint: string;
  subSequenceNumber?: number | undefined;
}

/**
 * How writing `next` over `stored` is judged:
 * - `advance`: allowed and changes the stored checkpoint (nothing stored yet, a later position, or SHARD_END over a
 *   sequence number);
 * - `same`: the stored checkpoint again: allowed, an idempotent no-op (a retried write succeeds);
 * - `backwards`: refused with CheckpointOrderError (an earlier position, or a sequence number after SHARD_END).
 */
export type CheckpointMove = 'advance' | 'same' | 'backwards';

/** Judges a checkpoint write; `stored` undefined means the lease has no checkpoint yet. */
export function judgeCheckpointMove(stored: StoredCheckpoint | undefined, next: StoredCheckpoint): CheckpointMove {
  if (stored === undefined) return 'advance';
  if (stored.checkpoint === SHARD_END) return next.checkpoint === SHARD_END ? 'same' : 'backwards';
  if (next.checkpoint === SHARD_END) return 'advance';
  // Exact for decimal strings without leading zeros; anything else a foreign writer may have stored is ordered by the
  // same rule (as the DynamoDB condition and the Lua script do).
  const order = comparePositions(
    { sequenceNumber: stored.checkpoint, subSequenceNumber: stored.subSequenceNumber },
    { sequenceNumber: next.checkpoint, subSequenceNumber: next.subSequenceNumber },
  );
  return order === 0 ? 'same' : order < 0 ? 'advance' : 'backwards';
}

/**
 * Throws {@link InvalidArgumentError} unless `checkpoint` can be stored: a Kinesis sequence number or SHARD_END, and a
 * sub-sequence number that is undefined or an integer >= 0 (none with SHARD_END).
 */
export function assertStorableCheckpoint(shardId: string, checkpoint: unknown, subSequenceNumber: unknown): asserts checkpoint is string {
  if (checkpoint !== SHARD_END && !isValidSequenceNumber(checkpoint)) {
    throw new InvalidArgumentError(
      `Checkpoint for shard ${shardId} must be a Kinesis sequence number (1 to 129 digits, no leading zeros) or ${SHARD_END}, got ${describe(checkpoint)}`,
    );
  }
  if (subSequenceNumber === undefined) return;
  if (typeof subSequenceNumber !== 'number' || !Number.isSafeInteger(subSequenceNumber) || subSequenceNumber < 0) {
    throw new InvalidArgumentError(`subSequenceNumber of shard ${shardId} must be undefined or an integer >= 0, got ${describe(subSequenceNumber)}`);
  }
  if (checkpoint === SHARD_END) {
    throw new InvalidArgumentError(`Checkpoint ${SHARD_END} for shard ${shardId} takes no subSequenceNumber, got ${subSequenceNumber}`);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 140 ? `${value.slice(0, 140)}...` : value);
  return value === null ? 'null' : primitiveText(value);
}

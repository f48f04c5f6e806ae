/**
 * Resuming inside a KPL aggregate. A checkpoint may point at user record k of aggregate S (sequence number S,
 * sub-sequence number k). After a restart the consumer reads from AT_SEQUENCE_NUMBER S, so the first batch starts
 * with the whole aggregate again; {@link skipCheckpointed} removes the user records that were already checkpointed.
 */
import type { ExtendedSequenceNumber } from '../checkpoint/shard-status';
import type { KinesisClientRecord } from '../processor/record-processor';
import { compareSequenceNumbers, isValidSequenceNumber } from '../sequence-number';

/**
 * Returns the records (in order) that come after `checkpoint`:
 * - records with a smaller sequence number are dropped (they precede the checkpoint; normally none are present);
 * - records with the checkpoint's sequence number are dropped when the checkpoint is at the whole record
 *   (`subSequenceNumber` undefined), or when they are not aggregated (a plain record is one position); aggregated
 *   user records with that sequence number are dropped when their sub-sequence number is <= the checkpoint's;
 * - everything after is kept.
 *
 * A checkpoint that is not a sequence number (e.g. `SHARD_END`, `TRIM_HORIZON`) and records whose sequence number
 * is malformed are left alone: this never drops a record it cannot place before the checkpoint. The input array is
 * not modified.
 */
export function skipCheckpointed(records: readonly KinesisClientRecord[], checkpoint: ExtendedSequenceNumber | undefined): KinesisClientRecord[] {
  if (checkpoint === undefined || !isValidSequenceNumber(checkpoint.sequenceNumber)) return records.slice();
  const checkpointSequence = checkpoint.sequenceNumber;
  const checkpointSub = checkpoint.subSequenceNumber;
  return records.filter((record) => {
    if (record.sequenceNumber === checkpointSequence) {
      if (checkpointSub === undefined || !record.aggregated || record.subSequenceNumber === undefined) return false;
      return record.subSequenceNumber > checkpointSub;
    }
    if (!isValidSequenceNumber(record.sequenceNumber)) return true;
    return compareSequenceNumbers(record.sequenceNumber, checkpointSequence) > 0;
  });
}

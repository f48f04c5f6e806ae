/**
 * Turns the records of a GetRecords / SubscribeToShard batch into the records a processor sees: plain records pass
 * through, KPL aggregates are expanded into their user records (with sub-sequence numbers), corrupt aggregates are
 * delivered as the raw record (never dropped), and aggregated user records that belong to another shard's hash key
 * range are dropped, as the Java KCL does.
 */
import type { _Record as SdkRecord } from '@aws-sdk/client-kinesis';
import { InvalidArgumentError } from '../errors';
import type { Logger } from '../logger/logger';
import type { KinesisClientRecord } from '../processor/record-processor';
import { decodeAggregatedRecord, hasKplMagic } from './aggregated-record';
import type { AggregateFailureReason, DecodedAggregate } from './aggregated-record';
import { parseHashKey, parseHashKeyRange, partitionKeyHash } from './hash-key';
import type { HashKeyRange, ParsedHashKeyRange } from './hash-key';

export type { SdkRecord };

/** Reported once per aggregate from which user records were dropped for being outside the shard's hash key range. */
export interface OutOfRangeInfo {
  /** Sequence number of the aggregate (the Kinesis record). */
  sequenceNumber: string;
  /** How many of its user records were dropped. */
  dropped: number;
  /** How many user records the aggregate held in total. */
  total: number;
}

/** Reported for each record that starts with the KPL magic but is not a valid aggregate. */
export interface CorruptAggregateInfo {
  sequenceNumber: string;
  reason: Exclude<AggregateFailureReason, 'bad-magic'>;
  /** Human-readable description of the problem. */
  detail: string;
}

export interface DeaggregateOptions {
  /**
   * The shard's hash key range. When set, aggregated user records whose hash key (explicit hash key, else MD5 of the
   * partition key) lies outside it are dropped, as the Java KCL does after a reshard. Plain (non-aggregated) records
   * are never filtered.
   * @defaultValue undefined (no filtering)
   */
  hashKeyRange?: HashKeyRange | undefined;
  /**
   * Where to log corrupt aggregates (warn) and dropped out-of-range user records (debug).
   * @defaultValue undefined (no logging)
   */
  logger?: Logger | undefined;
  /**
   * Shard id added to log lines.
   * @defaultValue undefined
   */
  shardId?: string | undefined;
  /**
   * Called once per aggregate from which out-of-range user records were dropped (e.g. to count them in metrics).
   * Exceptions it throws propagate to the caller.
   * @defaultValue undefined
   */
  onOutOfRange?: ((info: OutOfRangeInfo) => void) | undefined;
  /**
   * Called for each corrupt aggregate delivered as its raw record.
   * Exceptions it throws propagate to the caller.
   * @defaultValue undefined
   */
  onCorruptAggregate?: ((info: CorruptAggregateInfo) => void) | undefined;
}

/**
 * De-aggregates a batch of Kinesis records.
 *
 * - A record that does not start with the KPL magic is returned as is (`aggregated: false`).
 * - A valid KPL aggregate becomes its user records, in order, each with the aggregate's sequence number, arrival time
 *   and encryption type, its own partition key, explicit hash key and data, `subSequenceNumber` = its index in the
 *   aggregate and `aggregated: true`. Sub-sequence numbers are positions in the aggregate, so they are stable when
 *   some user records are filtered out.
 * - A corrupt aggregate (bad MD5, malformed protobuf, index out of range, invalid explicit hash key, no user record)
 *   is returned as the raw record with `aggregated: false` and logged as a warning: never dropped.
 * - With {@link DeaggregateOptions.hashKeyRange}, aggregated user records outside the range are dropped (debug log,
 *   {@link DeaggregateOptions.onOutOfRange}). The Java KCL drops the whole aggregate when it finds one such record;
 *   this drops exactly the user records that belong elsewhere.
 *
 * Throws {@link InvalidArgumentError} only for invalid arguments (a record without SequenceNumber, a malformed hash
 * key range), never because of record contents.
 */
export function deaggregateRecords(records: readonly SdkRecord[], options: DeaggregateOptions = {}): KinesisClientRecord[] {
  const range = options.hashKeyRange === undefined ? undefined : parseHashKeyRange(options.hashKeyRange);
  const result: KinesisClientRecord[] = [];
  for (const record of records) {
    const sequenceNumber = record.SequenceNumber;
    if (typeof sequenceNumber !== 'string') {
      throw new InvalidArgumentError('Cannot de-aggregate a Kinesis record without a SequenceNumber');
    }
    const data = record.Data ?? new Uint8Array(0);
    if (!hasKplMagic(data)) {
      result.push(plainRecord(record, sequenceNumber, data));
      continue;
    }
    const decoded = decodeAggregatedRecord(data);
    if (decoded.ok) {
      expand(record, sequenceNumber, decoded.aggregate, range, options, result);
      continue;
    }
    if (decoded.reason === 'bad-magic') {
      // Unreachable after hasKplMagic, kept so the union stays exhaustive.
      result.push(plainRecord(record, sequenceNumber, data));
      continue;
    }
    options.logger?.warn('Corrupt KPL aggregate: delivering the raw record instead of its user records', {
      shardId: options.shardId,
      sequenceNumber,
      reason: decoded.reason,
      detail: decoded.detail,
      bytes: data.length,
    });
    options.onCorruptAggregate?.({ sequenceNumber, reason: decoded.reason, detail: decoded.detail });
    result.push(plainRecord(record, sequenceNumber, data));
  }
  return result;
}

function plainRecord(record: SdkRecord, sequenceNumber: string, data: Uint8Array): KinesisClientRecord {
  return {
    data,
    partitionKey: record.PartitionKey ?? '',
    sequenceNumber,
    subSequenceNumber: undefined,
    explicitHashKey: undefined,
    approximateArrivalTimestamp: record.ApproximateArrivalTimestamp,
    encryptionType: record.EncryptionType,
    aggregated: false,
  };
}

function expand(
  record: SdkRecord,
  sequenceNumber: string,
  aggregate: DecodedAggregate,
  range: ParsedHashKeyRange | undefined,
  options: DeaggregateOptions,
  out: KinesisClientRecord[],
): void {
  const { partitionKeys, explicitHashKeys, records } = aggregate;
  const inRange = range === undefined ? undefined : rangeChecker(aggregate, range);
  let dropped = 0;
  for (let sub = 0; sub < records.length; sub++) {
    const userRecord = records[sub]!;
    if (inRange !== undefined && !inRange(userRecord.partitionKeyIndex, userRecord.explicitHashKeyIndex)) {
      dropped++;
      continue;
    }
    out.push({
      data: userRecord.data,
      partitionKey: partitionKeys[userRecord.partitionKeyIndex]!,
      sequenceNumber,
      subSequenceNumber: sub,
      explicitHashKey: userRecord.explicitHashKeyIndex === undefined ? undefined : explicitHashKeys[userRecord.explicitHashKeyIndex],
      approximateArrivalTimestamp: record.ApproximateArrivalTimestamp,
      encryptionType: record.EncryptionType,
      aggregated: true,
    });
  }
  if (dropped > 0 && range !== undefined) {
    options.logger?.debug('Dropped KPL user records outside the shard hash key range', {
      shardId: options.shardId,
      sequenceNumber,
      dropped,
      total: records.length,
      startingHashKey: range.start.toString(),
      endingHashKey: range.end.toString(),
    });
    options.onOutOfRange?.({ sequenceNumber, dropped, total: records.length });
  }
}

/** Returns a predicate over (partition key index, explicit hash key index) that caches each table entry's hash. */
function rangeChecker(
  aggregate: DecodedAggregate,
  range: ParsedHashKeyRange,
): (partitionKeyIndex: number, explicitHashKeyIndex: number | undefined) => boolean {
  const byPartitionKey = new Map<number, boolean>();
  const byExplicitHashKey = new Map<number, boolean>();
  const contains = (hashKey: bigint): boolean => hashKey >= range.start && hashKey <= range.end;
  return (partitionKeyIndex, explicitHashKeyIndex) => {
    if (explicitHashKeyIndex !== undefined) {
      let inside = byExplicitHashKey.get(explicitHashKeyIndex);
      if (inside === undefined) {
        // Validated by decodeAggregatedRecord, so parseHashKey succeeds.
        inside = contains(parseHashKey(aggregate.explicitHashKeys[explicitHashKeyIndex]!)!);
        byExplicitHashKey.set(explicitHashKeyIndex, inside);
      }
      return inside;
    }
    let inside = byPartitionKey.get(partitionKeyIndex);
    if (inside === undefined) {
      inside = contains(partitionKeyHash(aggregate.partitionKeys[partitionKeyIndex]!));
      byPartitionKey.set(partitionKeyIndex, inside);
    }
    return inside;
  };
}

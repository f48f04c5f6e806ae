/**
 * Reads the JSON body of a GetRecords answer into the SDK's `GetRecordsCommandOutput` shape, as the SDK's JSON 1.1
 * deserializer does for the fields the polling consumer and record processors use:
 * - `Records[]`: `SequenceNumber`, `PartitionKey`, `Data` (base64 -> `Uint8Array`), `ApproximateArrivalTimestamp`
 *   (epoch seconds, possibly fractional -> `Date`), `EncryptionType`;
 * - `NextShardIterator`, `MillisBehindLatest`;
 * - `ChildShards[]`: `ShardId`, `ParentShards`, `HashKeyRange` { `StartingHashKey`, `EndingHashKey` }.
 * Fields that are absent or null stay undefined, as in the SDK's output (but a missing `Records` reads as `[]`).
 * Unknown fields are ignored.
 * @internal
 */
import type { ChildShard, GetRecordsCommandOutput, _Record } from '@aws-sdk/client-kinesis';
import { KinesisError } from '../errors';
import type { ResponseMetadata } from './lean-errors';

type Json = Record<string, unknown>;

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** Epoch seconds (a number or numeric string) or an ISO-8601 string, as the SDK's timestamp reader accepts. */
function dateOf(value: unknown): Date | undefined {
  const seconds = numberOf(value);
  if (seconds !== undefined) return new Date(Math.round(seconds * 1000));
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return new Date(parsed);
  }
  return undefined;
}

/** Base64 -> bytes, a plain `Uint8Array` view (as the SDK's `fromBase64`), not a `Buffer`. */
export function bytesFromBase64(value: string): Uint8Array {
  const buffer = Buffer.from(value, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function recordOf(raw: unknown): _Record {
  const r = (raw ?? {}) as Json;
  const record: Partial<_Record> = {};
  const sequenceNumber = stringOf(r['SequenceNumber']);
  if (sequenceNumber !== undefined) record.SequenceNumber = sequenceNumber;
  const arrival = dateOf(r['ApproximateArrivalTimestamp']);
  if (arrival !== undefined) record.ApproximateArrivalTimestamp = arrival;
  const data = stringOf(r['Data']);
  if (data !== undefined) record.Data = bytesFromBase64(data);
  const partitionKey = stringOf(r['PartitionKey']);
  if (partitionKey !== undefined) record.PartitionKey = partitionKey;
  const encryption = stringOf(r['EncryptionType']);
  if (encryption !== undefined) record.EncryptionType = encryption as _Record['EncryptionType'];
  return record as _Record;
}

function childShardOf(raw: unknown): ChildShard {
  const c = (raw ?? {}) as Json;
  const child: Partial<ChildShard> = {};
  const shardId = stringOf(c['ShardId']);
  if (shardId !== undefined) child.ShardId = shardId;
  if (Array.isArray(c['ParentShards'])) child.ParentShards = c['ParentShards'].filter((p): p is string => typeof p === 'string');
  const range = c['HashKeyRange'] as Json | undefined | null;
  if (range !== undefined && range !== null && typeof range === 'object') {
    child.HashKeyRange = {
      StartingHashKey: stringOf(range['StartingHashKey']),
      EndingHashKey: stringOf(range['EndingHashKey']),
    } as ChildShard['HashKeyRange'];
  }
  return child as ChildShard;
}

/**
 * The output of a successful GetRecords answer. `$metadata` is given by the caller (status, request ids, attempts).
 * @throws KinesisError (retryable) if `body` is not a JSON object
 */
export function parseGetRecordsOutput(body: string, $metadata: ResponseMetadata): GetRecordsCommandOutput {
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(body);
  } catch (error) {
    throw new KinesisError(`GetRecords answer is not JSON (${body.length} bytes)`, { cause: error, retryable: true });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new KinesisError('GetRecords answer is not a JSON object', { retryable: true });
  }
  const json = parsed as Json;
  // Kinesis always sends Records; an answer without them reads as no records.
  const output: GetRecordsCommandOutput = { $metadata, Records: Array.isArray(json['Records']) ? json['Records'].map(recordOf) : [] };
  const next = stringOf(json['NextShardIterator']);
  if (next !== undefined) output.NextShardIterator = next;
  const behind = numberOf(json['MillisBehindLatest']);
  if (behind !== undefined) output.MillisBehindLatest = behind;
  if (Array.isArray(json['ChildShards'])) output.ChildShards = json['ChildShards'].map(childShardOf);
  return output;
}

/**
 * The KPL aggregated record format (as written by the Kinesis Producer Library and aws-kinesis-agg):
 *
 *   magic 0xF3 0x89 0x9A 0xC2 | protobuf AggregatedRecord | MD5 of the protobuf bytes (16 bytes)
 *
 *   message AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2;
 *                              repeated Record records = 3; }
 *   message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
 *                    required bytes data = 3; repeated Tag tags = 4; }
 *   message Tag { required string key = 1; optional string value = 2; }
 *
 * {@link decodeAggregatedRecord} never throws: it returns the user records or a typed failure reason.
 * @internal
 */
import { createHash } from 'node:crypto';
import { parseHashKey } from './hash-key';
import { ProtobufFormatError, ProtobufReader, WireType } from './protobuf-reader';
import type { FieldTag } from './protobuf-reader';

/** The four bytes that start every KPL aggregate. */
export const KPL_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
const DIGEST_LENGTH = 16;

/**
 * Why a record could not be de-aggregated.
 * - `bad-magic`: it does not start with the KPL magic, i.e. it simply is not an aggregate (a plain record).
 * - `bad-md5`: starts with the magic but the MD5 trailer is missing or does not match the protobuf bytes.
 * - `bad-protobuf`: the checksum matches but the protobuf is malformed (bad wire format, wrong wire type for a known
 *   field, or a required field missing).
 * - `bad-index`: a user record's partition key index (or explicit hash key index) is outside its table.
 * - `bad-hash-key`: an explicit hash key is not a decimal integer in [0, 2^128 - 1].
 * - `no-records`: a well-formed aggregate holding no user record (the KPL never writes one).
 * Everything but `bad-magic` is a corrupt aggregate.
 */
export type AggregateFailureReason = 'bad-magic' | 'bad-md5' | 'bad-protobuf' | 'bad-index' | 'bad-hash-key' | 'no-records';

/** One user record inside an aggregate. */
export interface AggregatedUserRecord {
  /** Index of the partition key in {@link DecodedAggregate.partitionKeys}. */
  partitionKeyIndex: number;
  /** Index of the explicit hash key in {@link DecodedAggregate.explicitHashKeys}, if the record has one. */
  explicitHashKeyIndex: number | undefined;
  /** The user payload: a view into the aggregate's bytes (no copy). */
  data: Uint8Array;
}

export interface DecodedAggregate {
  partitionKeys: string[];
  explicitHashKeys: string[];
  /** In aggregate order: the index in this array is the sub-sequence number. */
  records: AggregatedUserRecord[];
}

export type AggregateDecodeResult = { ok: true; aggregate: DecodedAggregate } | { ok: false; reason: AggregateFailureReason; detail: string };

/** True when `data` starts with the KPL magic bytes. */
export function hasKplMagic(data: Uint8Array): boolean {
  if (data.length < KPL_MAGIC.length) return false;
  for (let i = 0; i < KPL_MAGIC.length; i++) {
    if (data[i] !== KPL_MAGIC[i]) return false;
  }
  return true;
}

/** Decodes a KPL aggregate. Never throws; see {@link AggregateFailureReason} for the failure cases. */
export function decodeAggregatedRecord(data: Uint8Array): AggregateDecodeResult {
  if (!hasKplMagic(data)) return fail('bad-magic', 'the data does not start with the KPL magic bytes');
  const protobufEnd = data.length - DIGEST_LENGTH;
  if (protobufEnd < KPL_MAGIC.length) {
    return fail('bad-md5', `${data.length} bytes is too short for the magic and a ${DIGEST_LENGTH}-byte MD5 trailer`);
  }
  const protobuf = data.subarray(KPL_MAGIC.length, protobufEnd);
  const digest = createHash('md5').update(protobuf).digest();
  for (let i = 0; i < DIGEST_LENGTH; i++) {
    if (digest[i] !== data[protobufEnd + i]) return fail('bad-md5', 'the MD5 trailer does not match the protobuf bytes');
  }

  let aggregate: DecodedAggregate;
  try {
    aggregate = parseAggregate(new ProtobufReader(data, KPL_MAGIC.length, protobufEnd));
  } catch (error) {
    if (error instanceof ProtobufFormatError) return fail('bad-protobuf', error.message);
    // Anything else (e.g. out of memory) is not a property of the input.
    throw error;
  }
  return validate(aggregate);
}

function fail(reason: AggregateFailureReason, detail: string): AggregateDecodeResult {
  return { ok: false, reason, detail };
}

// ignoreBOM keeps a leading U+FEFF in a key (the default would strip it); invalid UTF-8 becomes U+FFFD, as in protobuf-java.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function parseAggregate(reader: ProtobufReader): DecodedAggregate {
  const aggregate: DecodedAggregate = { partitionKeys: [], explicitHashKeys: [], records: [] };
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        expectWireType(tag, WireType.LENGTH_DELIMITED, 'partition_key_table', reader);
        aggregate.partitionKeys.push(utf8.decode(reader.readBytes()));
        break;
      case 2:
        expectWireType(tag, WireType.LENGTH_DELIMITED, 'explicit_hash_key_table', reader);
        aggregate.explicitHashKeys.push(utf8.decode(reader.readBytes()));
        break;
      case 3:
        expectWireType(tag, WireType.LENGTH_DELIMITED, 'records', reader);
        aggregate.records.push(parseUserRecord(reader.readMessage(), aggregate.records.length));
        break;
      default:
        reader.skipField(tag);
    }
  }
  return aggregate;
}

function parseUserRecord(reader: ProtobufReader, index: number): AggregatedUserRecord {
  const start = reader.offset;
  let partitionKeyIndex: number | undefined;
  let explicitHashKeyIndex: number | undefined;
  let data: Uint8Array | undefined;
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        expectWireType(tag, WireType.VARINT, 'partition_key_index', reader);
        partitionKeyIndex = reader.readVarint();
        break;
      case 2:
        expectWireType(tag, WireType.VARINT, 'explicit_hash_key_index', reader);
        explicitHashKeyIndex = reader.readVarint();
        break;
      case 3:
        expectWireType(tag, WireType.LENGTH_DELIMITED, 'data', reader);
        data = reader.readBytes();
        break;
      case 4:
        expectWireType(tag, WireType.LENGTH_DELIMITED, 'tags', reader);
        checkTag(reader.readMessage());
        break;
      default:
        reader.skipField(tag);
    }
  }
  if (partitionKeyIndex === undefined) {
    throw new ProtobufFormatError(`User record ${index} has no partition_key_index (a required field)`, start);
  }
  if (data === undefined) throw new ProtobufFormatError(`User record ${index} has no data (a required field)`, start);
  return { partitionKeyIndex, explicitHashKeyIndex, data };
}

/** Tags are not delivered (no KCL exposes them), but they must be well-formed, with their required key. */
function checkTag(reader: ProtobufReader): void {
  const start = reader.offset;
  let hasKey = false;
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1 || tag.fieldNumber === 2) {
      expectWireType(tag, WireType.LENGTH_DELIMITED, tag.fieldNumber === 1 ? 'tag key' : 'tag value', reader);
      reader.readBytes();
      if (tag.fieldNumber === 1) hasKey = true;
    } else {
      reader.skipField(tag);
    }
  }
  if (!hasKey) throw new ProtobufFormatError('Tag has no key (a required field)', start);
}

function expectWireType(tag: FieldTag, expected: number, field: string, reader: ProtobufReader): void {
  if (tag.wireType !== expected) {
    throw new ProtobufFormatError(`Field ${field} has wire type ${tag.wireType}, expected ${expected}`, reader.offset);
  }
}

function validate(aggregate: DecodedAggregate): AggregateDecodeResult {
  const { partitionKeys, explicitHashKeys, records } = aggregate;
  if (records.length === 0) return fail('no-records', 'the aggregate holds no user record');
  // Explicit hash keys are checked once each, and only those a user record refers to.
  const checkedHashKeys = new Uint8Array(explicitHashKeys.length);
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as AggregatedUserRecord;
    if (record.partitionKeyIndex >= partitionKeys.length) {
      return fail(
        'bad-index',
        `user record ${i} has partition key index ${record.partitionKeyIndex} but the table has ${partitionKeys.length} entries`,
      );
    }
    const hashKeyIndex = record.explicitHashKeyIndex;
    if (hashKeyIndex === undefined || checkedHashKeys[hashKeyIndex] === 1) continue;
    if (hashKeyIndex >= explicitHashKeys.length) {
      return fail('bad-index', `user record ${i} has explicit hash key index ${hashKeyIndex} but the table has ${explicitHashKeys.length} entries`);
    }
    const key = explicitHashKeys[hashKeyIndex] as string;
    if (parseHashKey(key) === undefined) {
      return fail(
        'bad-hash-key',
        `user record ${i} has explicit hash key ${JSON.stringify(key.slice(0, 64))}, not a decimal integer in [0, 2^128-1]`,
      );
    }
    checkedHashKeys[hashKeyIndex] = 1;
  }
  return { ok: true, aggregate };
}

/**
 * Test helpers for the KPL tests: aggregates are made by an independent encoder (aws-kinesis-agg, which uses
 * protobufjs), never by our own code.
 */
import { createHash } from 'node:crypto';
import type { _Record } from '@aws-sdk/client-kinesis';
import type { LogFields, Logger } from '../src/logger/logger';

interface AggUserRecord {
  partitionKey: string;
  explicitHashKey?: string;
  data: Buffer;
}

interface AggLib {
  RecordAggregator: new () => {
    addUserRecord(record: AggUserRecord): void;
    build(): { partitionKey: string; data: Buffer } | undefined;
  };
}

interface ProtobufType {
  encode(message: unknown): { finish(): Uint8Array };
}

// aws-kinesis-agg ships typings that do not declare RecordAggregator or its protobuf type; type them here.
const agg = require('aws-kinesis-agg') as AggLib;
const aggCommon = require('aws-kinesis-agg/lib/common') as { AggregatedRecord: ProtobufType };

export interface UserRecordInput {
  partitionKey: string;
  explicitHashKey?: string | undefined;
  data: Uint8Array;
}

/**
 * Canonical array-index strings ("0" .. "4294967294"). aws-kinesis-agg 4.2.8 builds its key tables with
 * `Object.keys(table)`, which lists such keys first in numeric order, not in insertion order, so aggregates whose
 * partition keys or explicit hash keys look like small integers get the wrong key on their user records (a bug of
 * the encoder, not of the format). The fixture refuses them instead of producing wrong expectations.
 */
function isArrayIndexKey(key: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;
}

/** Encodes user records into one KPL aggregate with aws-kinesis-agg's RecordAggregator. */
export function aggregate(records: readonly UserRecordInput[]): Buffer {
  const aggregator = new agg.RecordAggregator();
  for (const record of records) {
    for (const key of [record.partitionKey, record.explicitHashKey]) {
      if (key !== undefined && isArrayIndexKey(key)) {
        throw new Error(`aws-kinesis-agg mis-encodes integer-like key ${key}; use another key in this test`);
      }
    }
    aggregator.addUserRecord({
      partitionKey: record.partitionKey,
      ...(record.explicitHashKey === undefined ? {} : { explicitHashKey: record.explicitHashKey }),
      data: Buffer.from(record.data),
    });
  }
  const built = aggregator.build();
  if (built === undefined) throw new Error('aws-kinesis-agg produced no aggregate');
  return built.data;
}

/**
 * Encodes user records with protobufjs directly (tables in insertion order), for keys aws-kinesis-agg's
 * RecordAggregator mis-encodes (see isArrayIndexKey).
 */
export function aggregateExact(records: readonly UserRecordInput[]): Buffer {
  const partitionKeys: string[] = [];
  const explicitHashKeys: string[] = [];
  const indexOf = (table: string[], key: string): number => {
    const found = table.indexOf(key);
    return found >= 0 ? found : table.push(key) - 1;
  };
  return rawAggregate({
    partition_key_table: partitionKeys,
    explicit_hash_key_table: explicitHashKeys,
    records: records.map((record) => ({
      partition_key_index: indexOf(partitionKeys, record.partitionKey),
      ...(record.explicitHashKey === undefined ? {} : { explicit_hash_key_index: indexOf(explicitHashKeys, record.explicitHashKey) }),
      data: record.data,
    })),
  });
}

/**
 * Encodes an arbitrary AggregatedRecord message with protobufjs (through aws-kinesis-agg's schema) and wraps it in
 * magic + MD5 - for aggregates the aggregator refuses to build (bad indexes, no records, invalid hash keys).
 */
export function rawAggregate(message: {
  partition_key_table: string[];
  explicit_hash_key_table: string[];
  records: { partition_key_index: number; explicit_hash_key_index?: number; data: Uint8Array }[];
}): Buffer {
  const protobuf = Buffer.from(aggCommon.AggregatedRecord.encode(message).finish());
  return wrapProtobuf(protobuf);
}

/** magic + bytes + MD5(bytes): a well-checksummed aggregate around any bytes. */
export function wrapProtobuf(protobuf: Uint8Array): Buffer {
  return Buffer.concat([MAGIC, protobuf, createHash('md5').update(protobuf).digest()]);
}

export const MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);

let nextSequence = 49590338271490256608559692538361571095921575989136588898n;

/** A GetRecords `_Record` around `data`, with a fresh (56-digit, realistic) sequence number unless given one. */
export function sdkRecord(data: Uint8Array, init: Partial<_Record> = {}): _Record {
  nextSequence += 1000n;
  return {
    SequenceNumber: nextSequence.toString(),
    PartitionKey: 'outer-key',
    ApproximateArrivalTimestamp: new Date('2026-11-26T10:00:00.000Z'),
    EncryptionType: 'NONE',
    Data: new Uint8Array(data),
    ...init,
  };
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields;
}

/** A Logger that records every line. */
export function captureLogger(lines: LogLine[] = [], base: LogFields = {}): Logger & { lines: LogLine[] } {
  const log = (level: LogLine['level']) => (message: string, fields?: LogFields) => {
    lines.push({ level, message, fields: { ...base, ...fields } });
  };
  return {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => captureLogger(lines, { ...base, ...fields }),
  };
}

/** Small deterministic PRNG (mulberry32) so fuzz failures are reproducible. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** MD5 of a partition key as a 128-bit integer, computed independently of src/ (for hash range tests). */
export function md5HashKey(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(Buffer.from(partitionKey, 'utf8')).digest('hex')}`);
}

import { decodeAggregatedRecord, hasKplMagic } from '../src/kpl/aggregated-record';
import type { AggregateDecodeResult, DecodedAggregate } from '../src/kpl/aggregated-record';
import { MAGIC, aggregate, prng, randomBytes, rawAggregate, wrapProtobuf } from './kpl-fixtures';

const text = (value: string): Uint8Array => Buffer.from(value, 'utf8');

function decoded(result: AggregateDecodeResult): DecodedAggregate {
  if (!result.ok) throw new Error(`expected a decoded aggregate, got ${result.reason}: ${result.detail}`);
  return result.aggregate;
}

function failure(result: AggregateDecodeResult): string {
  if (result.ok) throw new Error('expected a decode failure');
  return result.reason;
}

describe('decodeAggregatedRecord', () => {
  it('decodes an aws-kinesis-agg aggregate: tables, indexes and data views', () => {
    const bytes = aggregate([
      { partitionKey: 'a', data: text('one') },
      { partitionKey: 'b', explicitHashKey: '4294967296042', data: text('two') },
      { partitionKey: 'a', data: new Uint8Array(0) },
    ]);
    const result = decoded(decodeAggregatedRecord(bytes));
    expect(result.partitionKeys).toEqual(['a', 'b']);
    expect(result.explicitHashKeys).toEqual(['4294967296042']);
    expect(result.records.map((r) => [r.partitionKeyIndex, r.explicitHashKeyIndex, Buffer.from(r.data).toString()])).toEqual([
      [0, undefined, 'one'],
      [1, 0, 'two'],
      [0, undefined, ''],
    ]);
    // Payloads are views into the aggregate, not copies.
    expect(result.records[0]!.data.buffer).toBe(bytes.buffer);
  });

  it('recognises the magic', () => {
    expect(hasKplMagic(MAGIC)).toBe(true);
    expect(hasKplMagic(MAGIC.subarray(0, 3))).toBe(false);
    expect(hasKplMagic(Buffer.from([0xf3, 0x89, 0x9a, 0xc3]))).toBe(false);
    expect(failure(decodeAggregatedRecord(text('plain payload')))).toBe('bad-magic');
    expect(failure(decodeAggregatedRecord(new Uint8Array(0)))).toBe('bad-magic');
  });

  it('reports bad-md5 for a flipped checksum byte, a flipped payload byte and a too-short record', () => {
    const good = aggregate([{ partitionKey: 'k', data: text('payload') }]);
    const badDigest = Buffer.from(good);
    badDigest[badDigest.length - 1]! ^= 0x01;
    expect(failure(decodeAggregatedRecord(badDigest))).toBe('bad-md5');
    const badPayload = Buffer.from(good);
    badPayload[MAGIC.length + 2]! ^= 0x40;
    expect(failure(decodeAggregatedRecord(badPayload))).toBe('bad-md5');
    expect(failure(decodeAggregatedRecord(Buffer.concat([MAGIC, Buffer.alloc(15)])))).toBe('bad-md5');
  });

  it('reports bad-protobuf for a truncated protobuf with a matching checksum', () => {
    const good = aggregate([{ partitionKey: 'key', data: text('some payload') }]);
    const protobuf = good.subarray(MAGIC.length, good.length - 16);
    for (let cut = 1; cut < protobuf.length; cut++) {
      const result = decodeAggregatedRecord(wrapProtobuf(protobuf.subarray(0, cut)));
      // Some cuts fall on a field boundary and leave a valid but smaller message (e.g. keys without records).
      if (!result.ok) expect(['bad-protobuf', 'no-records', 'bad-index']).toContain(result.reason);
      else expect(result.aggregate.records.length).toBeGreaterThan(0);
    }
    // Cutting inside the record message is always malformed.
    expect(failure(decodeAggregatedRecord(wrapProtobuf(protobuf.subarray(0, protobuf.length - 1))))).toBe('bad-protobuf');
  });

  it('reports bad-protobuf for a known field with the wrong wire type', () => {
    // field 1 (partition_key_table) as a varint
    expect(failure(decodeAggregatedRecord(wrapProtobuf(Buffer.from([0x08, 0x01]))))).toBe('bad-protobuf');
    // a record whose data (field 3) is a varint
    expect(failure(decodeAggregatedRecord(wrapProtobuf(Buffer.from([0x0a, 0x01, 0x61, 0x1a, 0x04, 0x08, 0x00, 0x18, 0x01]))))).toBe('bad-protobuf');
  });

  it('reports bad-protobuf for user records missing a required field, and for tags without a key', () => {
    // record with data but no partition_key_index
    expect(failure(decodeAggregatedRecord(wrapProtobuf(Buffer.from([0x0a, 0x01, 0x61, 0x1a, 0x03, 0x1a, 0x01, 0x78]))))).toBe('bad-protobuf');
    // record with partition_key_index but no data
    expect(failure(decodeAggregatedRecord(wrapProtobuf(Buffer.from([0x0a, 0x01, 0x61, 0x1a, 0x02, 0x08, 0x00]))))).toBe('bad-protobuf');
    // tag with a value but no key
    expect(
      failure(
        decodeAggregatedRecord(wrapProtobuf(Buffer.from([0x0a, 0x01, 0x61, 0x1a, 0x09, 0x08, 0x00, 0x1a, 0x01, 0x78, 0x22, 0x02, 0x12, 0x00]))),
      ),
    ).toBe('bad-protobuf');
  });

  it('accepts tags and skips unknown fields', () => {
    const bytes = wrapProtobuf(
      Buffer.from([
        0x0a,
        0x01,
        0x61, // partition_key_table "a"
        0x78,
        0x05, // unknown field 15 varint
        0x1a,
        0x0e,
        0x08,
        0x00,
        0x1a,
        0x01,
        0x78,
        0x22,
        0x05,
        0x0a,
        0x01,
        0x6b,
        0x12,
        0x00,
        0x30,
        0x01, // record + tag + unknown 6
        0x65,
        1,
        2,
        3,
        4, // unknown field 12 fixed32
      ]),
    );
    const result = decoded(decodeAggregatedRecord(bytes));
    expect(result.partitionKeys).toEqual(['a']);
    expect(result.records).toHaveLength(1);
    expect(Buffer.from(result.records[0]!.data).toString()).toBe('x');
  });

  it('reports bad-index for a partition key index or explicit hash key index out of range', () => {
    const pkOut = rawAggregate({
      partition_key_table: ['a'],
      explicit_hash_key_table: [],
      records: [
        { partition_key_index: 0, data: text('ok') },
        { partition_key_index: 1, data: text('bad') },
      ],
    });
    expect(failure(decodeAggregatedRecord(pkOut))).toBe('bad-index');
    const hugeIndex = rawAggregate({
      partition_key_table: ['a'],
      explicit_hash_key_table: [],
      records: [{ partition_key_index: Number.MAX_SAFE_INTEGER, data: text('bad') }],
    });
    expect(failure(decodeAggregatedRecord(hugeIndex))).toBe('bad-index');
    const ehkOut = rawAggregate({
      partition_key_table: ['a'],
      explicit_hash_key_table: ['5'],
      records: [{ partition_key_index: 0, explicit_hash_key_index: 1, data: text('bad') }],
    });
    expect(failure(decodeAggregatedRecord(ehkOut))).toBe('bad-index');
  });

  it('reports bad-hash-key for a referenced explicit hash key that is not a 128-bit decimal, ignores unused ones', () => {
    for (const key of ['abc', '-1', '', '340282366920938463463374607431768211456', '1e5']) {
      const bytes = rawAggregate({
        partition_key_table: ['a'],
        explicit_hash_key_table: [key],
        records: [{ partition_key_index: 0, explicit_hash_key_index: 0, data: text('x') }],
      });
      expect(failure(decodeAggregatedRecord(bytes))).toBe('bad-hash-key');
    }
    const unused = rawAggregate({
      partition_key_table: ['a'],
      explicit_hash_key_table: ['not-a-number', '340282366920938463463374607431768211455'],
      records: [{ partition_key_index: 0, explicit_hash_key_index: 1, data: text('x') }],
    });
    expect(decoded(decodeAggregatedRecord(unused)).records).toHaveLength(1);
  });

  it('reports no-records for a well-formed aggregate without user records', () => {
    expect(failure(decodeAggregatedRecord(wrapProtobuf(new Uint8Array(0))))).toBe('no-records');
    expect(failure(decodeAggregatedRecord(rawAggregate({ partition_key_table: ['a'], explicit_hash_key_table: [], records: [] })))).toBe(
      'no-records',
    );
  });

  it('never throws on random bytes after the magic, with or without a valid checksum', () => {
    const random = prng(7);
    for (let round = 0; round < 3000; round++) {
      const body = randomBytes(random, Math.floor(random() * 80));
      const withChecksum = wrapProtobuf(body);
      const withoutChecksum = Buffer.concat([MAGIC, body]);
      for (const input of [withChecksum, withoutChecksum]) {
        const result = decodeAggregatedRecord(input);
        if (result.ok) {
          for (const record of result.aggregate.records) {
            expect(record.partitionKeyIndex).toBeLessThan(result.aggregate.partitionKeys.length);
          }
        } else {
          expect(['bad-md5', 'bad-protobuf', 'bad-index', 'bad-hash-key', 'no-records']).toContain(result.reason);
        }
      }
    }
  });
});

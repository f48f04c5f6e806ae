import * as core from '../src';
import { InvalidArgumentError } from '../src/errors';
import { deaggregateRecords } from '../src/kpl/deaggregate';
import type { CorruptAggregateInfo, OutOfRangeInfo } from '../src/kpl/deaggregate';
import type { KinesisClientRecord } from '../src/processor/record-processor';
import type { UserRecordInput } from './kpl-fixtures';
import {
  MAGIC,
  aggregate,
  aggregateExact,
  captureLogger,
  md5HashKey,
  prng,
  randomBytes,
  rawAggregate,
  sdkRecord,
  wrapProtobuf,
} from './kpl-fixtures';

const text = (value: string): Uint8Array => Buffer.from(value, 'utf8');
const MAX_HASH_KEY = (1n << 128n) - 1n;

/** Expected processor records for user records of one aggregate (no filtering). */
function expectedUserRecords(inputs: UserRecordInput[], sequenceNumber: string, arrival: Date): KinesisClientRecord[] {
  return inputs.map((input, index) => ({
    data: new Uint8Array(input.data),
    partitionKey: input.partitionKey,
    sequenceNumber,
    subSequenceNumber: index,
    explicitHashKey: input.explicitHashKey,
    approximateArrivalTimestamp: arrival,
    encryptionType: 'NONE',
    aggregated: true,
  }));
}

/** Compare records with data as plain arrays (Buffer vs Uint8Array views compare poorly). */
function normalize(records: KinesisClientRecord[]): unknown[] {
  return records.map((r) => ({ ...r, data: Array.from(r.data) }));
}

describe('deaggregateRecords', () => {
  it('is exported from the package entry', () => {
    expect(core.deaggregateRecords).toBe(deaggregateRecords);
  });

  it('round-trips many user records with explicit hash keys, unicode keys and empty data', () => {
    const random = prng(1);
    const inputs: UserRecordInput[] = [];
    for (let i = 0; i < 500; i++) {
      inputs.push({
        partitionKey: i % 7 === 0 ? `ключ-🔑-${i % 3}` : i % 13 === 0 ? '\uFEFFbom-key' : `pk-${i % 50}`,
        explicitHashKey: i % 5 === 0 ? (BigInt(i) * 680564733841876926926749214863536422n + (1n << 32n)).toString() : undefined,
        data: i % 11 === 0 ? new Uint8Array(0) : randomBytes(random, 1 + Math.floor(random() * 200)),
      });
    }
    const outer = sdkRecord(aggregate(inputs));
    const result = deaggregateRecords([outer]);
    expect(result).toHaveLength(500);
    expect(normalize(result)).toEqual(normalize(expectedUserRecords(inputs, outer.SequenceNumber!, outer.ApproximateArrivalTimestamp!)));
    expect(result.map((r) => r.subSequenceNumber)).toEqual(inputs.map((_, i) => i));
  });

  it('keeps integer-like partition keys and explicit hash keys on the right user records', () => {
    const inputs: UserRecordInput[] = [
      { partitionKey: 'x', data: text('dx') },
      { partitionKey: '7', explicitHashKey: '5', data: text('d7') },
      { partitionKey: '3', explicitHashKey: '0', data: text('d3') },
      { partitionKey: '7', data: text('d7-again') },
    ];
    // aws-kinesis-agg's RecordAggregator would reorder these keys (see kpl-fixtures), so it refuses them.
    expect(() => aggregate(inputs)).toThrow(/integer-like key/);
    const outer = sdkRecord(aggregateExact(inputs));
    expect(normalize(deaggregateRecords([outer]))).toEqual(
      normalize(expectedUserRecords(inputs, outer.SequenceNumber!, outer.ApproximateArrivalTimestamp!)),
    );
  });

  it('keeps batch order across plain records and several aggregates', () => {
    const a = [
      { partitionKey: 'a', data: text('a0') },
      { partitionKey: 'a', data: text('a1') },
    ];
    const b = [{ partitionKey: 'b', data: text('b0') }];
    const batch = [sdkRecord(text('plain-1')), sdkRecord(aggregate(a)), sdkRecord(text('plain-2')), sdkRecord(aggregate(b))];
    const result = deaggregateRecords(batch);
    expect(result.map((r) => Buffer.from(r.data).toString())).toEqual(['plain-1', 'a0', 'a1', 'plain-2', 'b0']);
    expect(result.map((r) => r.sequenceNumber)).toEqual([
      batch[0]!.SequenceNumber,
      batch[1]!.SequenceNumber,
      batch[1]!.SequenceNumber,
      batch[2]!.SequenceNumber,
      batch[3]!.SequenceNumber,
    ]);
    expect(result.map((r) => r.subSequenceNumber)).toEqual([undefined, 0, 1, undefined, 0]);
    expect(result.map((r) => r.aggregated)).toEqual([false, true, true, false, true]);
  });

  it('passes non-aggregated records through untouched', () => {
    const plain = sdkRecord(text('hello'), { PartitionKey: 'p', EncryptionType: 'KMS' });
    const empty = sdkRecord(new Uint8Array(0));
    const noData = sdkRecord(new Uint8Array(0), { Data: undefined });
    const almostMagic = sdkRecord(Buffer.from([0xf3, 0x89, 0x9a]));
    const logger = captureLogger();
    const result = deaggregateRecords([plain, empty, noData, almostMagic], { logger, hashKeyRange: { startingHashKey: '0', endingHashKey: '0' } });
    expect(result).toHaveLength(4);
    expect(result[0]).toEqual({
      data: plain.Data,
      partitionKey: 'p',
      sequenceNumber: plain.SequenceNumber,
      subSequenceNumber: undefined,
      explicitHashKey: undefined,
      approximateArrivalTimestamp: plain.ApproximateArrivalTimestamp,
      encryptionType: 'KMS',
      aggregated: false,
    });
    expect(result[0]!.data).toBe(plain.Data);
    expect(result[1]!.data).toBe(empty.Data);
    expect(result[2]!.data).toEqual(new Uint8Array(0));
    expect(result[3]!.data).toBe(almostMagic.Data);
    // Plain records are never filtered by hash range (this range holds no real key) and nothing is logged.
    expect(logger.lines).toEqual([]);
  });

  it('rejects a record without SequenceNumber and a malformed hash key range', () => {
    expect(() => deaggregateRecords([sdkRecord(text('x'), { SequenceNumber: undefined })])).toThrow(InvalidArgumentError);
    const range = (startingHashKey: string, endingHashKey: string) => () =>
      deaggregateRecords([], { hashKeyRange: { startingHashKey, endingHashKey } });
    expect(range('10', '5')).toThrow(InvalidArgumentError);
    expect(range('x', '5')).toThrow(/hashKeyRange/);
    expect(range('0', (MAX_HASH_KEY + 1n).toString())).toThrow(InvalidArgumentError);
    expect(range('0', MAX_HASH_KEY.toString())).not.toThrow();
  });

  describe('hash key range filtering', () => {
    const half = 1n << 127n;
    const lower = { startingHashKey: '0', endingHashKey: (half - 1n).toString() };
    const upper = { startingHashKey: half.toString(), endingHashKey: MAX_HASH_KEY.toString() };

    it('drops aggregated user records whose explicit hash key lies outside the range, keeping sub-sequence numbers', () => {
      const inputs: UserRecordInput[] = [
        { partitionKey: 'k0', explicitHashKey: '0', data: text('lower-edge') },
        { partitionKey: 'k1', explicitHashKey: half.toString(), data: text('upper-edge') },
        { partitionKey: 'k2', explicitHashKey: (half - 1n).toString(), data: text('lower-top') },
        { partitionKey: 'k3', explicitHashKey: MAX_HASH_KEY.toString(), data: text('upper-top') },
      ];
      // Exact edges such as "0" need aggregateExact (aws-kinesis-agg reorders integer-like keys).
      const outer = sdkRecord(aggregateExact(inputs));
      const logger = captureLogger();
      const dropped: OutOfRangeInfo[] = [];
      const result = deaggregateRecords([outer], {
        hashKeyRange: lower,
        logger,
        shardId: 'shardId-000000000001',
        onOutOfRange: (i) => dropped.push(i),
      });
      expect(result.map((r) => [Buffer.from(r.data).toString(), r.subSequenceNumber])).toEqual([
        ['lower-edge', 0],
        ['lower-top', 2],
      ]);
      expect(dropped).toEqual([{ sequenceNumber: outer.SequenceNumber, dropped: 2, total: 4 }]);
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines[0]).toMatchObject({
        level: 'debug',
        fields: { shardId: 'shardId-000000000001', sequenceNumber: outer.SequenceNumber, dropped: 2 },
      });

      const other = deaggregateRecords([outer], { hashKeyRange: upper });
      expect(other.map((r) => r.subSequenceNumber)).toEqual([1, 3]);
    });

    it('uses MD5 of the partition key when there is no explicit hash key', () => {
      const keys = Array.from({ length: 200 }, (_, i) => `user-${i}-é`);
      const inputs = keys.map((partitionKey) => ({ partitionKey, data: text(partitionKey) }));
      const outer = sdkRecord(aggregate(inputs));
      let droppedTotal = 0;
      const kept = deaggregateRecords([outer], { hashKeyRange: lower, onOutOfRange: (i) => (droppedTotal += i.dropped) });
      const expectedLower = keys.filter((k) => md5HashKey(k) < half);
      expect(expectedLower.length).toBeGreaterThan(50);
      expect(expectedLower.length).toBeLessThan(150);
      expect(kept.map((r) => r.partitionKey)).toEqual(expectedLower);
      expect(droppedTotal).toBe(keys.length - expectedLower.length);
      const keptUpper = deaggregateRecords([outer], { hashKeyRange: upper });
      // The two children of a split together deliver every user record exactly once.
      expect(kept.length + keptUpper.length).toBe(keys.length);
      expect([...kept, ...keptUpper].map((r) => r.subSequenceNumber).sort((x, y) => x! - y!)).toEqual(keys.map((_, i) => i));
    });

    it('prefers the explicit hash key over the partition key hash', () => {
      const key = 'some-key';
      const inside = md5HashKey(key) < half ? lower : upper;
      const outside = inside === lower ? upper : lower;
      // Explicit hash key puts the record in the other half.
      const explicitHashKey = (inside === lower ? half : 1n << 40n).toString();
      const outer = sdkRecord(aggregate([{ partitionKey: key, explicitHashKey, data: text('x') }]));
      expect(deaggregateRecords([outer], { hashKeyRange: inside })).toHaveLength(0);
      expect(deaggregateRecords([outer], { hashKeyRange: outside })).toHaveLength(1);
    });

    it('reports nothing when every user record is inside the range', () => {
      const outer = sdkRecord(
        aggregate([
          { partitionKey: 'a', data: text('x') },
          { partitionKey: 'b', data: text('y') },
        ]),
      );
      const onOutOfRange = jest.fn();
      const logger = captureLogger();
      const result = deaggregateRecords([outer], {
        hashKeyRange: { startingHashKey: '0', endingHashKey: MAX_HASH_KEY.toString() },
        onOutOfRange,
        logger,
      });
      expect(result).toHaveLength(2);
      expect(onOutOfRange).not.toHaveBeenCalled();
      expect(logger.lines).toEqual([]);
    });
  });

  describe('corrupt aggregates are delivered as ONE raw record and logged', () => {
    const good = (): Buffer =>
      aggregate([
        { partitionKey: 'k1', data: text('first') },
        { partitionKey: 'k2', explicitHashKey: '123456789012345', data: text('second') },
      ]);

    const cases: [string, () => Buffer, CorruptAggregateInfo['reason']][] = [
      [
        'a flipped MD5 byte',
        () => {
          const bytes = good();
          bytes[bytes.length - 5]! ^= 0xff;
          return bytes;
        },
        'bad-md5',
      ],
      [
        'a truncated protobuf (re-checksummed)',
        () => {
          const bytes = good();
          return wrapProtobuf(bytes.subarray(MAGIC.length, bytes.length - 16 - 3));
        },
        'bad-protobuf',
      ],
      ['a truncated record (checksum cut off)', () => good().subarray(0, 30), 'bad-md5'],
      [
        'a bad partition key index',
        () =>
          rawAggregate({
            partition_key_table: ['only'],
            explicit_hash_key_table: [],
            records: [
              { partition_key_index: 0, data: text('fine') },
              { partition_key_index: 3, data: text('broken') },
            ],
          }),
        'bad-index',
      ],
      ['random garbage after the magic', () => Buffer.concat([MAGIC, Buffer.from('this is not a protobuf at all, just text')]), 'bad-md5'],
      ['random garbage after the magic, re-checksummed', () => wrapProtobuf(Buffer.from([0xff, 0xff, 0xff, 0x07, 0x01])), 'bad-protobuf'],
      [
        'an invalid explicit hash key',
        () =>
          rawAggregate({
            partition_key_table: ['a'],
            explicit_hash_key_table: ['zz'],
            records: [{ partition_key_index: 0, explicit_hash_key_index: 0, data: text('x') }],
          }),
        'bad-hash-key',
      ],
      ['an aggregate without user records', () => wrapProtobuf(new Uint8Array(0)), 'no-records'],
    ];

    it.each(cases)('%s', (_name, make, reason) => {
      const bytes = make();
      const before = sdkRecord(text('before'));
      const outer = sdkRecord(bytes, { PartitionKey: 'outer', EncryptionType: 'KMS' });
      const after = sdkRecord(aggregate([{ partitionKey: 'z', data: text('after') }]));
      const logger = captureLogger();
      const corrupt: CorruptAggregateInfo[] = [];
      let result: KinesisClientRecord[] = [];
      expect(() => {
        result = deaggregateRecords([before, outer, after], {
          logger,
          shardId: 'shardId-000000000007',
          hashKeyRange: { startingHashKey: '0', endingHashKey: MAX_HASH_KEY.toString() },
          onCorruptAggregate: (info) => corrupt.push(info),
        });
      }).not.toThrow();
      expect(result).toHaveLength(3);
      expect(result[1]).toEqual({
        data: outer.Data,
        partitionKey: 'outer',
        sequenceNumber: outer.SequenceNumber,
        subSequenceNumber: undefined,
        explicitHashKey: undefined,
        approximateArrivalTimestamp: outer.ApproximateArrivalTimestamp,
        encryptionType: 'KMS',
        aggregated: false,
      });
      expect(result[1]!.data).toBe(outer.Data);
      expect(Buffer.from(result[1]!.data).equals(bytes)).toBe(true);
      expect(Buffer.from(result[0]!.data).toString()).toBe('before');
      expect(Buffer.from(result[2]!.data).toString()).toBe('after');
      expect(corrupt).toEqual([{ sequenceNumber: outer.SequenceNumber, reason, detail: expect.any(String) }]);
      const warnings = logger.lines.filter((l) => l.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.fields).toMatchObject({ shardId: 'shardId-000000000007', sequenceNumber: outer.SequenceNumber, reason });
    });
  });

  it('never throws on random byte strings after the magic: a corrupt one comes back as its raw record', () => {
    const random = prng(2026);
    const reasons = new Set<string>();
    let corruptCount = 0;
    let rawCount = 0;
    for (let round = 0; round < 3000; round++) {
      const body = randomBytes(random, Math.floor(random() * 120));
      const bytes = round % 2 === 0 ? wrapProtobuf(body) : Buffer.concat([MAGIC, body]);
      const outer = sdkRecord(bytes);
      const result = deaggregateRecords([outer], {
        hashKeyRange: { startingHashKey: '0', endingHashKey: (1n << 127n).toString() },
        onCorruptAggregate: (info) => {
          corruptCount++;
          reasons.add(info.reason);
        },
      });
      for (const record of result) expect(record.sequenceNumber).toBe(outer.SequenceNumber);
      if (result.some((r) => !r.aggregated)) {
        rawCount++;
        expect(result).toHaveLength(1);
        expect(result[0]!.data).toBe(outer.Data);
      }
    }
    expect(rawCount).toBe(corruptCount);
    expect(corruptCount).toBeGreaterThan(2900);
    expect([...reasons]).toEqual(expect.arrayContaining(['bad-md5', 'bad-protobuf']));
  });
});

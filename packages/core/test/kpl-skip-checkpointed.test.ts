import { deaggregateRecords } from '../src/kpl/deaggregate';
import { skipCheckpointed } from '../src/kpl/skip-checkpointed';
import type { KinesisClientRecord } from '../src/processor/record-processor';
import { aggregate, sdkRecord } from './kpl-fixtures';

const text = (value: string): Uint8Array => Buffer.from(value, 'utf8');
const payloads = (records: KinesisClientRecord[]): string[] => records.map((r) => Buffer.from(r.data).toString());

/** The first batch after a restart at an aggregate: the aggregate (5 user records) then a plain record and another aggregate. */
function firstBatch(): { records: KinesisClientRecord[]; aggregateSeq: string; plainSeq: string } {
  const agg = sdkRecord(aggregate(['u0', 'u1', 'u2', 'u3', 'u4'].map((d) => ({ partitionKey: 'pk', data: text(d) }))));
  const plain = sdkRecord(text('plain'));
  const next = sdkRecord(
    aggregate([
      { partitionKey: 'pk', data: text('n0') },
      { partitionKey: 'pk', data: text('n1') },
    ]),
  );
  return { records: deaggregateRecords([agg, plain, next]), aggregateSeq: agg.SequenceNumber!, plainSeq: plain.SequenceNumber! };
}

describe('skipCheckpointed', () => {
  it('drops the checkpointed user records of the aggregate and keeps the rest', () => {
    const { records, aggregateSeq } = firstBatch();
    expect(payloads(skipCheckpointed(records, { sequenceNumber: aggregateSeq, subSequenceNumber: 2 }))).toEqual(['u3', 'u4', 'plain', 'n0', 'n1']);
    expect(payloads(skipCheckpointed(records, { sequenceNumber: aggregateSeq, subSequenceNumber: 0 }))).toEqual([
      'u1',
      'u2',
      'u3',
      'u4',
      'plain',
      'n0',
      'n1',
    ]);
    expect(payloads(skipCheckpointed(records, { sequenceNumber: aggregateSeq, subSequenceNumber: 4 }))).toEqual(['plain', 'n0', 'n1']);
  });

  it('drops the whole aggregate when the checkpoint is at the whole record', () => {
    const { records, aggregateSeq } = firstBatch();
    expect(payloads(skipCheckpointed(records, { sequenceNumber: aggregateSeq }))).toEqual(['plain', 'n0', 'n1']);
    expect(payloads(skipCheckpointed(records, { sequenceNumber: aggregateSeq, subSequenceNumber: undefined }))).toEqual(['plain', 'n0', 'n1']);
  });

  it('drops a plain record at the checkpoint whatever its sub-sequence number, and everything before it', () => {
    const { records, plainSeq } = firstBatch();
    expect(payloads(skipCheckpointed(records, { sequenceNumber: plainSeq }))).toEqual(['n0', 'n1']);
    expect(payloads(skipCheckpointed(records, { sequenceNumber: plainSeq, subSequenceNumber: 0 }))).toEqual(['n0', 'n1']);
  });

  it('keeps everything after an older checkpoint and drops everything before a newer one', () => {
    const { records, aggregateSeq } = firstBatch();
    const older = (BigInt(aggregateSeq) - 1n).toString();
    expect(skipCheckpointed(records, { sequenceNumber: older, subSequenceNumber: 3 })).toEqual(records);
    const newer = (BigInt(records[records.length - 1]!.sequenceNumber) + 1n).toString();
    expect(skipCheckpointed(records, { sequenceNumber: newer })).toEqual([]);
  });

  it('compares numerically, not as strings', () => {
    const mk = (sequenceNumber: string): KinesisClientRecord => ({ data: new Uint8Array(0), partitionKey: 'p', sequenceNumber, aggregated: false });
    const records = [mk('9'), mk('10'), mk('11')];
    expect(skipCheckpointed(records, { sequenceNumber: '10' }).map((r) => r.sequenceNumber)).toEqual(['11']);
  });

  it('leaves the batch alone for no checkpoint or a sentinel, and keeps records it cannot place', () => {
    const { records } = firstBatch();
    expect(skipCheckpointed(records, undefined)).toEqual(records);
    expect(skipCheckpointed(records, { sequenceNumber: 'TRIM_HORIZON' })).toEqual(records);
    expect(skipCheckpointed(records, { sequenceNumber: 'SHARD_END' })).toEqual(records);
    const odd: KinesisClientRecord = { data: new Uint8Array(0), partitionKey: 'p', sequenceNumber: 'weird', aggregated: false };
    expect(skipCheckpointed([odd], { sequenceNumber: '5' })).toEqual([odd]);
  });

  it('does not modify its input', () => {
    const { records, aggregateSeq } = firstBatch();
    const copy = [...records];
    const result = skipCheckpointed(records, { sequenceNumber: aggregateSeq, subSequenceNumber: 1 });
    expect(records).toEqual(copy);
    expect(result).not.toBe(records);
    expect(skipCheckpointed(records, undefined)).not.toBe(records);
  });
});

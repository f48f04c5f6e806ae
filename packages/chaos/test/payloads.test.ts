import { deaggregateRecords } from '@kcl/core';
import { encodeAggregate } from '@kcl/testbed';
import { decodePayloadId, drawPayloadSize, encodePayload, partitionKeyFor } from '../src/payloads';
import { Prng } from '../src/prng';

test('payloads carry their id and have the requested size; foreign bytes decode to undefined', () => {
  const p = encodePayload(4711, 300);
  expect(p).toHaveLength(300);
  expect(decodePayloadId(p)).toBe(4711);
  expect(decodePayloadId(encodePayload(0, 1))).toBe(0);
  expect(decodePayloadId(Buffer.from('hello'))).toBeUndefined();
  expect(decodePayloadId(Buffer.from('kcl-chaos:x:'))).toBeUndefined();
});

test('sizes are mixed (mostly small, some large) and partition keys never look like integers', () => {
  const prng = new Prng(9);
  const sizes = Array.from({ length: 2_000 }, () => drawPayloadSize(prng));
  expect(Math.min(...sizes)).toBeGreaterThanOrEqual(40);
  expect(Math.max(...sizes)).toBeLessThanOrEqual(8_000);
  expect(sizes.filter((s) => s <= 200).length).toBeGreaterThan(1_200);
  expect(sizes.filter((s) => s > 1_500).length).toBeGreaterThan(40);
  for (let i = 0; i < 200; i++) expect(partitionKeyFor(prng)).not.toMatch(/^\d+$/);
});

test('a producer aggregate de-aggregates (with @kcl/core) into its records, in order, with sub-sequence numbers', () => {
  const payloads = [encodePayload(1, 30), encodePayload(2, 60), encodePayload(3, 90)];
  const data = encodeAggregate('pk-abc-x', payloads);
  const records = deaggregateRecords([
    { Data: data, PartitionKey: 'pk-abc-x', SequenceNumber: '49600000000000000000000000000000000000000000000000000001' },
  ]);
  expect(records.map((r) => [decodePayloadId(r.data), r.subSequenceNumber, r.aggregated, r.partitionKey])).toEqual([
    [1, 0, true, 'pk-abc-x'],
    [2, 1, true, 'pk-abc-x'],
    [3, 2, true, 'pk-abc-x'],
  ]);
  expect(() => encodeAggregate('12', payloads)).toThrow(RangeError);
});

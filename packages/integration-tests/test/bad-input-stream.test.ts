/**
 * Bad-input matrix, part 3: what the stream can throw at a worker.
 * - Corrupt KPL aggregates (bad MD5, malformed protobuf, a key index out of range, the magic alone): each is delivered
 *   as the raw record it is (`aggregated: false`, the bytes unchanged), in order with the records around it; a valid
 *   aggregate next to them is still de-aggregated. Nothing is dropped.
 * - The stream deleted mid-run: the worker keeps running and reports it (`error` events whose error is the SDK's
 *   ResourceNotFoundException, or a KinesisError caused by it for shard syncs), backing off; every record put before
 *   the deletion was delivered; `shutdown()` still ends it in bounded time, the processors get shutdown(REQUESTED).
 */
import { createHash } from 'node:crypto';
import { DeleteStreamCommand, ResourceNotFoundException } from '@aws-sdk/client-kinesis';
import { isKclError, ShutdownReason } from '@kcl/core';
import { encodeAggregate, waitFor } from '@kcl/testbed';
import { miniWorker, storeNames, useMiniBed, type MiniWorker } from './helpers/mini-run';

const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);

/** KPL framing (magic + protobuf + MD5 of the protobuf) around arbitrary bytes. */
function framed(protobuf: Buffer, md5 = createHash('md5').update(protobuf).digest()): Buffer {
  return Buffer.concat([KPL_MAGIC, protobuf, md5]);
}

/** A protobuf AggregatedRecord by hand: partition key table ["pk-x"], one record whose key index is 5 (out of range). */
function aggregateWithBadKeyIndex(): Buffer {
  const key = Buffer.from('pk-x');
  const data = Buffer.from('user-record');
  const record = Buffer.concat([Buffer.from([0x08, 0x05]), Buffer.from([0x1a, data.length]), data]); // field 1 = 5, field 3 = data
  return Buffer.concat([Buffer.from([0x0a, key.length]), key, Buffer.from([0x1a, record.length]), record]); // table, records
}

const env = useMiniBed();

function worker(streamName: string): MiniWorker {
  const w = miniWorker({
    streamName,
    kinesisEndpoint: env.bed.server.endpoint,
    spec: { kind: 'dynamodb', endpoint: env.dynalite.endpoint, tableName: storeNames().tableName },
  });
  env.workers.push(w);
  return w;
}

test('corrupt aggregates are delivered as raw records, in order; a valid aggregate beside them is de-aggregated', async () => {
  const stream = await env.bed.stream(1);
  const valid = encodeAggregate('pk-agg', [Buffer.from('agg-0'), Buffer.from('agg-1'), Buffer.from('agg-2')]);
  const badMd5 = Buffer.from(valid);
  badMd5[badMd5.length - 1] = (badMd5[badMd5.length - 1]! + 1) % 256;
  const corrupt: Array<[string, Buffer]> = [
    ['bad MD5', badMd5],
    ['malformed protobuf', framed(Buffer.from([0x0a, 0x7f, 0x01, 0x02]))],
    ['key index out of range', framed(aggregateWithBadKeyIndex())],
    ['magic only', Buffer.from(KPL_MAGIC)],
    ['magic and a short tail', Buffer.concat([KPL_MAGIC, Buffer.from('abc')])],
  ];
  const payloads: Buffer[] = [Buffer.from('before')];
  for (const [, bytes] of corrupt) payloads.push(bytes, Buffer.from(`after-${payloads.length}`));
  payloads.push(valid, Buffer.from('last'));
  await env.bed.put(stream, payloads);

  const w = worker(stream);
  await w.worker.start();
  // 11 plain/corrupt records + 3 user records of the valid aggregate.
  await waitFor(() => w.recorder.deliveries.length >= payloads.length - 1 + 3, 'every record', 15_000);
  const delivered = w.recorder.deliveries.map((d) => d.record);
  expect(delivered).toHaveLength(payloads.length - 1 + 3);
  payloads.slice(0, -2).forEach((bytes, i) => {
    expect(Buffer.from(delivered[i]!.data).equals(bytes)).toBe(true);
    expect(delivered[i]!.aggregated).toBe(false);
  });
  const tail = delivered.slice(payloads.length - 2);
  expect(tail.map((r) => [Buffer.from(r.data).toString(), r.aggregated, r.subSequenceNumber])).toEqual([
    ['agg-0', true, 0],
    ['agg-1', true, 1],
    ['agg-2', true, 2],
    ['last', false, undefined],
  ]);
  expect(w.recorder.eventsNamed('processorError')).toEqual([]);
});

test('the stream deleted mid-run: reported as errors, the worker keeps running and still shuts down cleanly', async () => {
  const stream = await env.bed.stream(2);
  const w = worker(stream);
  await w.worker.start();
  const before = Array.from({ length: 30 }, (_, i) => `rec-${i}`);
  await env.bed.put(stream, before.slice(0, 15), 'pk-a');
  await env.bed.put(stream, before.slice(15), 'pk-zz');
  await waitFor(() => new Set(w.recorder.texts()).size === 30, 'the records put before the deletion', 15_000);

  await env.bed.client.send(new DeleteStreamCommand({ StreamName: stream }));
  const notFound = (): unknown[] =>
    w.recorder
      .eventsNamed('error')
      .map((e) => e.payload['error'])
      .filter((error) => error instanceof ResourceNotFoundException || (isKclError(error) && error.cause instanceof ResourceNotFoundException));
  await waitFor(() => notFound().length >= 2, 'ResourceNotFound errors reported', 10_000);
  const operations = new Set(
    w.recorder
      .eventsNamed('error')
      .filter((e) => notFound().includes(e.payload['error']))
      .map((e) => String(e.payload['operation'])),
  );
  expect([...operations].some((op) => /GetRecords|GetShardIterator|shardSync/.test(op))).toBe(true);
  expect(w.worker.state).toBe('running');
  expect(new Set(w.recorder.texts())).toEqual(new Set(before));

  const started = Date.now();
  await w.worker.shutdown();
  expect(Date.now() - started).toBeLessThan(w.config.shutdownGraceMillis + 1_000);
  expect(w.worker.state).toBe('stopped');
  expect(w.recorder.shutdowns.map((s) => s.reason).sort()).toEqual([ShutdownReason.REQUESTED, ShutdownReason.REQUESTED]);
});

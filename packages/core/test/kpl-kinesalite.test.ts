/**
 * KPL aggregates through a real Kinesis stand-in (kinesalite): put with PutRecord, read with GetRecords, then
 * de-aggregate with the shard's hash key range and resume inside an aggregate from AT_SEQUENCE_NUMBER.
 */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, Shard, _Record } from '@aws-sdk/client-kinesis';
import { createTestStream, localKinesisClient, startKinesalite } from '@kcl/testbed';
import type { LocalServer } from '@kcl/testbed';
import { deaggregateRecords } from '../src/kpl/deaggregate';
import { skipCheckpointed } from '../src/kpl/skip-checkpointed';
import { aggregate, captureLogger } from './kpl-fixtures';

const text = (value: string): Uint8Array => Buffer.from(value, 'utf8');
const payloads = (records: { data: Uint8Array }[]): string[] => records.map((r) => Buffer.from(r.data).toString());

describe('KPL aggregates through kinesalite', () => {
  let server: LocalServer;
  let kinesis: KinesisClient;
  let stream: string;
  let shards: Shard[];

  beforeAll(async () => {
    server = await startKinesalite();
    kinesis = localKinesisClient(server.endpoint, { maxAttempts: 1 });
    stream = await createTestStream(kinesis, { shardCount: 2 });
    shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
    expect(shards).toHaveLength(2);
  });

  afterAll(async () => {
    kinesis?.destroy();
    await server?.stop();
  });

  async function put(data: Uint8Array, shard: Shard): Promise<string> {
    const out = await kinesis.send(
      new PutRecordCommand({
        StreamName: stream,
        Data: data,
        PartitionKey: 'aggregate',
        ExplicitHashKey: shard.HashKeyRange!.StartingHashKey!,
      }),
    );
    expect(out.ShardId).toBe(shard.ShardId);
    return out.SequenceNumber!;
  }

  async function read(shard: Shard, at?: string): Promise<_Record[]> {
    const iterator = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: stream,
        ShardId: shard.ShardId!,
        ...(at === undefined
          ? { ShardIteratorType: 'TRIM_HORIZON' as const }
          : { ShardIteratorType: 'AT_SEQUENCE_NUMBER' as const, StartingSequenceNumber: at }),
      }),
    );
    const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator!, Limit: 100 }));
    return out.Records ?? [];
  }

  it('de-aggregates, drops user records of the other shard, delivers a corrupt aggregate raw, and resumes inside an aggregate', async () => {
    const [first, second] = shards as [Shard, Shard];
    const firstRange = { startingHashKey: first.HashKeyRange!.StartingHashKey!, endingHashKey: first.HashKeyRange!.EndingHashKey! };
    // An aggregate built with a stale shard map: user records 1 and 3 belong to the second shard.
    const user = [
      { partitionKey: 'a', explicitHashKey: (BigInt(firstRange.startingHashKey) + (1n << 32n)).toString(), data: text('u0') },
      { partitionKey: 'b', explicitHashKey: second.HashKeyRange!.StartingHashKey!, data: text('u1') },
      { partitionKey: 'c', explicitHashKey: firstRange.endingHashKey, data: text('u2') },
      { partitionKey: 'd', explicitHashKey: second.HashKeyRange!.EndingHashKey!, data: text('u3') },
      { partitionKey: 'e', explicitHashKey: '98765432109876543210', data: text('u4') },
    ];
    const aggSeq = await put(aggregate(user), first);
    const corrupt = Buffer.from(aggregate([{ partitionKey: 'x', data: text('lost?') }]));
    corrupt[corrupt.length - 1]! ^= 0x55;
    const corruptSeq = await put(corrupt, first);
    const plainSeq = await put(text('plain'), first);

    const raw = await read(first);
    const logger = captureLogger();
    let dropped = 0;
    const records = deaggregateRecords(raw, {
      hashKeyRange: firstRange,
      logger,
      shardId: first.ShardId!,
      onOutOfRange: (info) => (dropped += info.dropped),
    });
    expect(payloads(records.slice(0, 3))).toEqual(['u0', 'u2', 'u4']);
    expect(records.slice(0, 3).map((r) => [r.sequenceNumber, r.subSequenceNumber, r.aggregated])).toEqual([
      [aggSeq, 0, true],
      [aggSeq, 2, true],
      [aggSeq, 4, true],
    ]);
    expect(dropped).toBe(2);
    expect(records[3]).toMatchObject({ sequenceNumber: corruptSeq, aggregated: false, subSequenceNumber: undefined });
    expect(Buffer.from(records[3]!.data).equals(corrupt)).toBe(true);
    expect(records[4]).toMatchObject({ sequenceNumber: plainSeq, aggregated: false });
    expect(payloads([records[4]!])).toEqual(['plain']);
    expect(records).toHaveLength(5);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.fields)).toEqual([
      expect.objectContaining({ shardId: first.ShardId, sequenceNumber: corruptSeq, reason: 'bad-md5' }),
    ]);

    // Restart after checkpointing user record 2 of the aggregate: read AT_SEQUENCE_NUMBER, skip what was checkpointed.
    const resumed = skipCheckpointed(deaggregateRecords(await read(first, aggSeq), { hashKeyRange: firstRange }), {
      sequenceNumber: aggSeq,
      subSequenceNumber: 2,
    });
    expect(resumed.map((r) => [r.sequenceNumber, r.subSequenceNumber])).toEqual([
      [aggSeq, 4],
      [corruptSeq, undefined],
      [plainSeq, undefined],
    ]);
  });
});

import type { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { decodePayloadId } from '../src/payloads';
import { Producer } from '../src/producer';
import { Prng } from '../src/prng';

/** A fake PutRecords endpoint: records every entry, accepts all (after `delayMs`) but rejects the first entry once. */
function fakeKinesis(delayMs: number): { client: KinesisClient; entries: Array<{ data: string; key: string }>; calls: number } {
  const state = { entries: [] as Array<{ data: string; key: string }>, calls: 0, rejected: false, seq: 0 };
  const client = {
    send: async (command: PutRecordsCommand) => {
      await new Promise((r) => setTimeout(r, delayMs));
      state.calls++;
      const records = command.input.Records ?? [];
      return {
        Records: records.map((entry, i) => {
          if (!state.rejected && i === 0) {
            state.rejected = true;
            return { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' };
          }
          state.entries.push({ data: Buffer.from(entry.Data as Uint8Array).toString('latin1'), key: entry.PartitionKey ?? '' });
          return { ShardId: 'shardId-000000000000', SequenceNumber: String(++state.seq).padStart(56, '0') };
        }),
      };
    },
  } as unknown as KinesisClient;
  return {
    client,
    entries: state.entries,
    get calls() {
      return state.calls;
    },
  };
}

async function produce(seed: number, delayMs: number): Promise<{ producer: Producer; fake: ReturnType<typeof fakeKinesis> }> {
  const fake = fakeKinesis(delayMs);
  const producer = new Producer({ client: fake.client, streamName: 's', records: 600, windowMs: 300, prng: new Prng(seed), aggregateShare: 0.2 });
  await producer.start();
  return { producer, fake };
}

test('every record is produced once, rejected entries are put again, aggregates get sub-sequence numbers', async () => {
  const { producer } = await produce(1, 0);
  expect(producer.done).toBe(true);
  expect(producer.produced.map((r) => r.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 600 }, (_, i) => i));
  expect(producer.retriedEntries).toBe(1);
  expect(producer.aggregates).toBeGreaterThan(0);
  const aggregated = producer.produced.filter((r) => r.sub !== null);
  expect(aggregated.length).toBeGreaterThan(producer.aggregates);
  for (const r of aggregated) expect(producer.produced.filter((o) => o.seq === r.seq).map((o) => o.sub)).toContain(0);
});

test('the same seed gives the same records (bytes, keys, aggregation) whatever the timing; another seed others', async () => {
  const fast = await produce(5, 0);
  const slow = await produce(5, 15);
  const other = await produce(6, 0);
  const canonical = (entries: Array<{ data: string; key: string }>): string[] => entries.map((e) => `${e.key}|${e.data}`).sort();
  expect(canonical(slow.fake.entries)).toEqual(canonical(fast.fake.entries));
  expect(canonical(other.fake.entries)).not.toEqual(canonical(fast.fake.entries));
  expect(fast.fake.entries.filter((e) => decodePayloadId(Buffer.from(e.data, 'latin1')) !== undefined).length).toBeGreaterThan(0);
});

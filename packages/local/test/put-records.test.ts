import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisServiceException,
  type KinesisClient,
  type PutRecordsCommandOutput,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import { createKinesisClient, createStream, LocalError, putRecords, startLocalKinesis, type LocalServer } from '../src';

/** Fault injection: the first `rounds` PutRecords calls send only the odd entries and report the even ones throttled. */
function rejectEvenEntries(client: KinesisClient, rounds: number): { calls: number } {
  const seen = { calls: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand' || ++seen.calls > rounds) return next(args);
      const input = args.input as { Records: PutRecordsRequestEntry[] };
      const odd = input.Records.filter((_, i) => i % 2 === 1);
      const result = await next({ ...args, input: { ...input, Records: odd } });
      const sent = (result.output as PutRecordsCommandOutput).Records ?? [];
      const records = input.Records.map((_, i) => (i % 2 === 1 ? sent[(i - 1) / 2] : { ErrorCode: 'ProvisionedThroughputExceededException' }));
      return { ...result, output: { ...result.output, FailedRecordCount: input.Records.length - odd.length, Records: records } };
    },
    { step: 'initialize', name: 'test-reject-even' },
  );
  return seen;
}

const entries = (n: number): PutRecordsRequestEntry[] =>
  Array.from({ length: n }, (_, i) => ({ PartitionKey: `pk-${i}`, Data: Buffer.from(`r${i}`) }));

describe('putRecords (kinesalite)', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalKinesis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  let streams = 0;
  const withClient = async (body: (client: KinesisClient, stream: string) => Promise<void>): Promise<void> => {
    const client = createKinesisClient(server.endpoint, { maxAttempts: 1 });
    const stream = `put-${++streams}`;
    try {
      await createStream(client, stream);
      await body(client, stream);
    } finally {
      client.destroy();
    }
  };

  it('puts rejected entries again until all are in; results follow the entries given', () =>
    withClient(async (client, stream) => {
      const seen = rejectEvenEntries(client, 1);
      const accepted: number[] = [];
      const outcome = await putRecords(client, stream, entries(6), {
        retryDelayMs: () => 1,
        onAccepted: (a) => accepted.push(...a.map((r) => r.index)),
      });
      expect(outcome.results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(accepted).toEqual([1, 3, 5, 0, 2, 4]);
      expect(outcome).toMatchObject({ calls: 2, retried: 3, rejected: [] });
      expect(seen.calls).toBe(2);
      const iterator = await client.send(
        new GetShardIteratorCommand({ StreamName: stream, ShardId: outcome.results[0]!.shardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const got = await client.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator! }));
      expect(got.Records?.map((r) => Buffer.from(r.Data!).toString())).toEqual(['r1', 'r3', 'r5', 'r0', 'r2', 'r4']);
    }));

  it('gives up after maxAttempts: a LocalError, or the rejected indexes with throwIfRejected false', () =>
    withClient(async (client, stream) => {
      rejectEvenEntries(client, 3);
      await expect(putRecords(client, stream, entries(4), { maxAttempts: 1 })).rejects.toThrow(LocalError);
      await expect(putRecords(client, stream, entries(4), { maxAttempts: 1 })).rejects.toMatchObject({ code: 'KINESIS_FAILED' });
      const outcome = await putRecords(client, stream, entries(4), { maxAttempts: 1, throwIfRejected: false });
      expect(outcome.rejected).toEqual([0, 2]);
      expect(outcome.results.map((r) => r.index)).toEqual([1, 3]);
    }));

  it('fails on a call that throws, unless retryFailedCalls puts its entries again', () =>
    withClient(async (client, stream) => {
      let failures = 2;
      client.middlewareStack.add(
        (next) => async (args) => {
          if (failures-- > 0)
            throw new KinesisServiceException({
              name: 'InternalFailure',
              $fault: 'server',
              message: 'injected 500',
              $metadata: { httpStatusCode: 500 },
            });
          return next(args);
        },
        { step: 'initialize', name: 'test-fail-call' },
      );
      await expect(putRecords(client, stream, entries(2))).rejects.toMatchObject({ name: 'InternalFailure' });
      const outcome = await putRecords(client, stream, entries(2), { retryFailedCalls: true, retryDelayMs: () => 1 });
      expect(outcome).toMatchObject({ calls: 2, retried: 2 });
      expect(outcome.results).toHaveLength(2);
    }));

  it('generates `count` entries when given a number: key-<n> and {"n":<n>}', () =>
    withClient(async (client, stream) => {
      const outcome = await putRecords(client, stream, 3);
      expect(outcome.results.map((r) => r.index)).toEqual([0, 1, 2]);
      const iterator = await client.send(
        new GetShardIteratorCommand({ StreamName: stream, ShardId: outcome.results[0]!.shardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const got = await client.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator! }));
      expect(got.Records?.map((r) => [r.PartitionKey, Buffer.from(r.Data!).toString()])).toEqual([
        ['key-0', '{"n":0}'],
        ['key-1', '{"n":1}'],
        ['key-2', '{"n":2}'],
      ]);
      await expect(putRecords(client, stream, -1)).rejects.toMatchObject({ code: 'LOCAL_BAD_OPTION' });
    }));

  it('splits into calls of at most 500 entries', () =>
    withClient(async (client, stream) => {
      const outcome = await putRecords(client, stream, entries(1_100));
      expect(outcome.calls).toBe(3);
      expect(outcome.results).toHaveLength(1_100);
    }));
});

/**
 * The lean GetRecords path against kinesalite, next to the SDK path on the same client: the same answers (records,
 * an empty shard), the same exceptions (kinesalite's own InvalidArgumentException; an expired iterator, throttling
 * and a 500 injected by an HTTP proxy in front of kinesalite, since the lean path bypasses SDK middleware), the
 * client's retry strategy, its clock-skew correction, the caller's AbortSignal, and the polling consumer running on
 * it.
 */
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  InvalidArgumentException,
  KinesisServiceException,
  ProvisionedThroughputExceededException,
  type GetRecordsCommandOutput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { createTestStream, LOCAL_CREDENTIALS } from '@kcl/testbed';
import { classifyKinesisError } from '../src/consumers/kinesis-error-kind';
import { createKinesisClient } from '../src/kinesis/client-factory';
import { LeanGetRecords } from '../src/kinesis/lean-get-records';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { runConsumer, stopAllRuns, stopRun, testConfig, waitFor } from './helpers/consumer-harness';
import { payloads, putRecords, startKinesisFixture, text } from './helpers/consumer-kinesis';
import { useServerFixture } from './helpers/kinesis-fixture';
import { errorAnswer, startKinesisFaultProxy, type KinesisFaultProxy } from './helpers/kinesis-fault-proxy';

const SHARD = 'shardId-000000000000';
const GET_RECORDS = 'Kinesis_20131202.GetRecords';
const fx = useServerFixture(startKinesisFixture);
let proxy: KinesisFaultProxy;
let client: KinesisClient;

beforeEach(async () => {
  proxy = await startKinesisFaultProxy(fx.server.endpoint);
  client = createKinesisClient({
    regionName: 'us-east-1',
    kinesisEndpoint: proxy.endpoint,
    kinesisCredentials: { ...LOCAL_CREDENTIALS },
    maxRetryCount: 2,
  });
});
afterEach(async () => {
  await stopAllRuns();
  client.destroy();
  await proxy.stop();
});

async function iteratorOf(streamName: string): Promise<string> {
  const out = await fx.kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: SHARD, ShardIteratorType: 'TRIM_HORIZON' }));
  return out.ShardIterator!;
}

/** The parts of an output both paths must agree on (iterators are opaque and may differ per call). */
function comparable(out: GetRecordsCommandOutput): unknown {
  return {
    Records: out.Records?.map((r) => ({ ...r, Data: Array.from(r.Data ?? []) })),
    MillisBehindLatest: out.MillisBehindLatest,
    ChildShards: out.ChildShards,
    hasNext: typeof out.NextShardIterator === 'string',
    status: out.$metadata.httpStatusCode,
    attempts: out.$metadata.attempts,
  };
}

async function failureOf(call: Promise<unknown>): Promise<KinesisServiceException> {
  try {
    await call;
  } catch (error) {
    return error as KinesisServiceException;
  }
  throw new Error('the call did not fail');
}

function describeError(error: KinesisServiceException): unknown {
  return {
    class: error.constructor,
    name: error.name,
    message: error.message,
    fault: error.$fault,
    status: error.$metadata.httpStatusCode,
    attempts: error.$metadata.attempts,
  };
}

describe('lean GetRecords against kinesalite, compared with client.send', () => {
  test('records and an empty shard: the same output; the same request headers signed', async () => {
    const stream = await createTestStream(fx.kinesis);
    const empty = await iteratorOf(stream);
    const lean = new LeanGetRecords(client);
    const signal = new AbortController().signal;
    const emptyLean = await lean.send({ ShardIterator: empty, Limit: 100 }, signal);
    const emptySdk = await client.send(new GetRecordsCommand({ ShardIterator: empty, Limit: 100 }));
    expect(comparable(emptyLean)).toEqual(comparable(emptySdk));
    expect(emptyLean.Records).toEqual([]);

    await putRecords(fx.kinesis, stream, payloads(25));
    const iterator = await iteratorOf(stream);
    const leanOut = await lean.send({ ShardIterator: iterator, Limit: 10 }, signal);
    const sdkOut = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10 }));
    expect(comparable(leanOut)).toEqual(comparable(sdkOut));
    expect(leanOut.Records!.map((r) => text(r.Data!))).toEqual(payloads(10));
    expect(leanOut.Records![0]!.Data!.constructor).toBe(Uint8Array);
    const rest = await lean.send({ ShardIterator: leanOut.NextShardIterator!, Limit: 100 }, signal);
    expect(rest.Records!.map((r) => text(r.Data!))).toEqual(payloads(25).slice(10));

    const calls = proxy.requests.filter((r) => r.target === GET_RECORDS);
    const signedHeaders = (i: number): string => /SignedHeaders=([^,]+)/.exec(String(calls[i]!.headers['authorization']))![1]!;
    expect(signedHeaders(2)).toBe(signedHeaders(3)); // lean then SDK, same iterator
    expect(calls[2]!.body).toBe(calls[3]!.body);
    expect(calls[2]!.headers['content-type']).toBe('application/x-amz-json-1.1');
  });

  test("kinesalite's own error (a malformed iterator) and an injected expired iterator: the SDK's exception", async () => {
    const lean = new LeanGetRecords(client);
    const signal = new AbortController().signal;
    const leanBad = await failureOf(lean.send({ ShardIterator: 'not-an-iterator' }, signal));
    const sdkBad = await failureOf(client.send(new GetRecordsCommand({ ShardIterator: 'not-an-iterator' })));
    expect(leanBad).toBeInstanceOf(InvalidArgumentException);
    expect(describeError(leanBad)).toEqual(describeError(sdkBad));

    proxy.decide = (r) => (r.target === GET_RECORDS ? errorAnswer(400, 'ExpiredIteratorException', 'Iterator expired') : { kind: 'forward' });
    const leanExpired = await failureOf(lean.send({ ShardIterator: 'x' }, signal));
    const sdkExpired = await failureOf(client.send(new GetRecordsCommand({ ShardIterator: 'x' })));
    expect(leanExpired).toBeInstanceOf(ExpiredIteratorException);
    expect(describeError(leanExpired)).toEqual(describeError(sdkExpired));
    expect(leanExpired.$metadata.requestId).toBe('req-ExpiredIteratorException');
    expect(classifyKinesisError(leanExpired)).toBe('expired-iterator');
    // Not retried by the client (a client error): one request per call.
    expect(proxy.requests.filter((r) => r.target === GET_RECORDS)).toHaveLength(4);
  });

  test("throttling and a 500 are retried by the client's retry strategy; still throttled after maxRetryCount: the SDK's exception", async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(3));
    const iterator = await iteratorOf(stream);
    const lean = new LeanGetRecords(client);
    const signal = new AbortController().signal;
    let getRecords = 0;
    proxy.decide = (r) => {
      if (r.target !== GET_RECORDS) return { kind: 'forward' };
      getRecords++;
      if (getRecords === 1) return errorAnswer(400, 'ProvisionedThroughputExceededException', 'Rate exceeded for shard');
      if (getRecords === 2) return errorAnswer(500, 'InternalFailure', 'Internal service failure');
      return { kind: 'forward' };
    };
    const out = await lean.send({ ShardIterator: iterator }, signal);
    expect(out.Records!.map((r) => text(r.Data!))).toEqual(payloads(3));
    expect(out.$metadata.attempts).toBe(3);
    const attemptsHeader = proxy.requests.filter((r) => r.target === GET_RECORDS).map((r) => r.headers['amz-sdk-request']);
    expect(attemptsHeader).toEqual(['attempt=1; max=3', 'attempt=2; max=3', 'attempt=3; max=3']);

    proxy.decide = (r) =>
      r.target === GET_RECORDS ? errorAnswer(400, 'ProvisionedThroughputExceededException', 'Rate exceeded for shard') : { kind: 'forward' };
    const leanThrottled = await failureOf(lean.send({ ShardIterator: iterator }, signal));
    const sdkThrottled = await failureOf(client.send(new GetRecordsCommand({ ShardIterator: iterator })));
    expect(leanThrottled).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(describeError(leanThrottled)).toEqual(describeError(sdkThrottled));
    expect(leanThrottled.$metadata.attempts).toBe(3);
  });

  test("the answer's Date header corrects the client's clock skew, as the SDK's signer does", async () => {
    const stream = await createTestStream(fx.kinesis);
    const iterator = await iteratorOf(stream);
    const lean = new LeanGetRecords(client);
    const config = client.config as unknown as { systemClockOffset: number };
    expect(config.systemClockOffset).toBe(0);
    proxy.decide = () => ({ kind: 'forward', dateOffsetMillis: 3_600_000 });
    await lean.send({ ShardIterator: iterator }, new AbortController().signal);
    expect(config.systemClockOffset).toBeGreaterThan(3_590_000);
    await lean.send({ ShardIterator: iterator }, new AbortController().signal);
    const signedAt = String(proxy.requests[proxy.requests.length - 1]!.headers['x-amz-date']);
    const signedMillis = Date.parse(signedAt.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    expect(signedMillis - Date.now()).toBeGreaterThan(3_500_000);
  });

  test('the AbortSignal ends a call the server holds', async () => {
    proxy.decide = () => ({ kind: 'hang' });
    const lean = new LeanGetRecords(client);
    const controller = new AbortController();
    const call = failureOf(lean.send({ ShardIterator: 'x' }, controller.signal));
    await waitFor(() => proxy.requests.length === 1, 'the held request');
    controller.abort();
    const error = await call;
    expect(classifyKinesisError(error, controller.signal)).toBe('aborted');
    expect(proxy.requests).toHaveLength(1);
  });

  test('the polling consumer on the lean path: every record once and in order through throttling and an expired iterator', async () => {
    const stream = await createTestStream(fx.kinesis);
    await putRecords(fx.kinesis, stream, payloads(60));
    let getRecords = 0;
    proxy.decide = (r) => {
      if (r.target !== GET_RECORDS) return { kind: 'forward' };
      getRecords++;
      if (getRecords === 2) return errorAnswer(400, 'ExpiredIteratorException', 'Iterator expired');
      if (getRecords >= 4 && getRecords <= 6) return errorAnswer(400, 'ProvisionedThroughputExceededException', 'Rate exceeded for shard');
      return { kind: 'forward' };
    };
    const sdkCalls: string[] = [];
    client.middlewareStack.add(
      (next, context) => (args) => {
        sdkCalls.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'count-sdk-calls' },
    );
    const config = testConfig(stream).withMaxRecords(10).withMaxRetryCount(1);
    const run = await runConsumer({ kinesis: client, streamName: stream, config, leanGetRecords: new LeanGetRecords(client) });
    await waitFor(() => run.processor.processed.length >= 60, '60 records', 20_000);
    expect(await stopRun(run)).toEqual({ reason: ShutdownReason.REQUESTED });
    expect(run.processor.processed.map((r) => text(r.data))).toEqual(payloads(60));
    expect(sdkCalls).not.toContain('GetRecordsCommand');
    expect(sdkCalls.filter((c) => c === 'GetShardIteratorCommand')).toHaveLength(2);
    const errors = run.events.errors.map((e) => (e.error as Error).name);
    expect(errors).toContain('ExpiredIteratorException');
    expect(errors).toContain('ProvisionedThroughputExceededException');
  });
});

/** Kinesis side of consumer tests: kinesalite, producing (plain and KPL aggregates), resharding, SDK middleware. */
import {
  DescribeStreamSummaryCommand,
  ExpiredIteratorException,
  KinesisServiceException,
  ListShardsCommand,
  ProvisionedThroughputExceededException,
  PutRecordCommand,
  PutRecordsCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import { createTestStream, localKinesisClient, startKinesalite } from '@kcl/testbed';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { performance } from 'node:perf_hooks';
import { serverFixture, type ServerFixture } from './kinesis-fixture';

/** Kinesalite with a client that does not retry by itself (maxAttempts 1), so injected faults reach the consumer. */
export type KinesisFixture = ServerFixture;

export async function startKinesisFixture(): Promise<KinesisFixture> {
  return serverFixture(await startKinesalite({ shardLimit: 1000 }), { maxAttempts: 1 });
}

/** A fresh client on the same server (so middleware added by one test does not leak into others). */
export function newClient(fixture: Pick<KinesisFixture, 'server'>): KinesisClient {
  return localKinesisClient(fixture.server.endpoint, { maxAttempts: 1 });
}

export { createTestStream };

export interface PutResult {
  data: string;
  sequenceNumber: string;
  shardId: string;
}

/** Puts `payloads` in order (PutRecords, 500 per call) with one partition key; returns their sequence numbers. */
export async function putRecords(kinesis: KinesisClient, streamName: string, payloads: string[], partitionKey = 'pk'): Promise<PutResult[]> {
  const results: PutResult[] = [];
  for (let i = 0; i < payloads.length; i += 500) {
    const chunk = payloads.slice(i, i + 500);
    const out = await kinesis.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: chunk.map((data) => ({ Data: Buffer.from(data), PartitionKey: partitionKey })),
      }),
    );
    if (out.FailedRecordCount) throw new Error(`PutRecords failed for ${out.FailedRecordCount} record(s)`);
    out.Records?.forEach((r, j) => results.push({ data: chunk[j]!, sequenceNumber: r.SequenceNumber!, shardId: r.ShardId! }));
  }
  return results;
}

/** `prefix-0`, `prefix-1`, ... */
export function payloads(count: number, prefix = 'r'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

interface RecordAggregatorLike {
  addUserRecord(record: { partitionKey: string; data: Buffer; explicitHashKey?: string }): void;
  build(): { partitionKey: string; data: Buffer } | undefined;
}
// aws-kinesis-agg's typings reference aws-sdk v2 / aws-lambda types that are not installed: load it untyped.
const { RecordAggregator } = require('aws-kinesis-agg') as { RecordAggregator: new () => RecordAggregatorLike };

/**
 * Puts one KPL aggregate holding `userRecords` (encoded by aws-kinesis-agg, as the KPL does). Partition keys must not
 * look like small integers (aws-kinesis-agg reorders such keys in its key table).
 */
export async function putAggregate(
  kinesis: KinesisClient,
  streamName: string,
  userRecords: { data: string; partitionKey?: string; explicitHashKey?: string }[],
): Promise<PutResult> {
  const aggregator = new RecordAggregator();
  for (const r of userRecords) {
    aggregator.addUserRecord({
      partitionKey: r.partitionKey ?? 'agg-pk',
      data: Buffer.from(r.data),
      ...(r.explicitHashKey === undefined ? {} : { explicitHashKey: r.explicitHashKey }),
    });
  }
  const encoded = aggregator.build();
  if (!encoded) throw new Error('empty aggregate');
  const out = await kinesis.send(new PutRecordCommand({ StreamName: streamName, Data: encoded.data, PartitionKey: encoded.partitionKey }));
  return { data: `aggregate of ${userRecords.length}`, sequenceNumber: out.SequenceNumber!, shardId: out.ShardId! };
}

/** Puts arbitrary bytes as one record. */
export async function putRaw(kinesis: KinesisClient, streamName: string, data: Uint8Array, partitionKey = 'pk'): Promise<PutResult> {
  const out = await kinesis.send(new PutRecordCommand({ StreamName: streamName, Data: data, PartitionKey: partitionKey }));
  return { data: '<raw>', sequenceNumber: out.SequenceNumber!, shardId: out.ShardId! };
}

export async function listShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const out = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  return out.Shards ?? [];
}

/** Splits `shardId` in the middle of its hash range and waits until the stream is ACTIVE again. */
export async function splitShard(kinesis: KinesisClient, streamName: string, shardId: string): Promise<Shard[]> {
  const shard = (await listShards(kinesis, streamName)).find((s) => s.ShardId === shardId);
  if (!shard?.HashKeyRange) throw new Error(`no shard ${shardId}`);
  const start = BigInt(shard.HashKeyRange.StartingHashKey!);
  const end = BigInt(shard.HashKeyRange.EndingHashKey!);
  await kinesis.send(new SplitShardCommand({ StreamName: streamName, ShardToSplit: shardId, NewStartingHashKey: ((start + end) / 2n).toString() }));
  for (let i = 0; i < 500; i++) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return listShards(kinesis, streamName);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('stream did not become ACTIVE after SplitShard');
}

export function text(data: Uint8Array): string {
  return Buffer.from(data).toString('utf8');
}

/** Records the start time (performance.now()) of every call of `commandName` made through `client`. */
export function trackCalls(client: KinesisClient, commandName: string): number[] {
  const starts: number[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName) starts.push(performance.now());
      return next(args);
    },
    { step: 'initialize', name: `track-${commandName}-${Math.random()}` },
  );
  return starts;
}

/**
 * Makes chosen calls of `commandName` fail without reaching the server: `faults[n]` (n from 1) is thrown by the
 * n-th call. Returns the call counter.
 */
export function injectFaults(client: KinesisClient, commandName: string, faults: Record<number, () => Error>): { calls: number } {
  const counter = { calls: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== commandName) return next(args);
      counter.calls += 1;
      const fault = faults[counter.calls];
      if (fault) throw fault();
      return next(args);
    },
    { step: 'initialize', name: `faults-${commandName}-${Math.random()}` },
  );
  return counter;
}

export const faults = {
  throughputExceeded: (): Error =>
    new ProvisionedThroughputExceededException({ message: 'Rate exceeded for shard (injected)', $metadata: { httpStatusCode: 400 } }),
  expiredIterator: (): Error => new ExpiredIteratorException({ message: 'Iterator expired (injected)', $metadata: { httpStatusCode: 400 } }),
  internalFailure: (): Error =>
    new KinesisServiceException({
      name: 'InternalFailure',
      $fault: 'server',
      message: 'Internal service failure (injected 500)',
      $metadata: { httpStatusCode: 500 },
    }),
  connectionReset: (): Error => Object.assign(new Error('socket hang up (injected)'), { code: 'ECONNRESET' }),
};

/**
 * A client whose requests for `target` (e.g. 'GetRecords') hang until their AbortSignal fires. `seen` counts those
 * requests and `withSignal` how many came with an AbortSignal.
 */
export function hangingClient(fixture: Pick<KinesisFixture, 'server'>, target: string): { client: KinesisClient; seen: number; withSignal: number } {
  const stats = { client: undefined as unknown as KinesisClient, seen: 0, withSignal: 0 };
  class HangingHandler extends NodeHttpHandler {
    override handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
      const [request, options] = args;
      if (request.headers['x-amz-target'] !== `Kinesis_20131202.${target}`) return super.handle(...args);
      stats.seen += 1;
      const signal = options?.abortSignal as AbortSignal | undefined;
      if (signal) stats.withSignal += 1;
      return new Promise((_resolve, reject) => {
        const abort = (): void => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
        if (signal?.aborted) abort();
        else signal?.addEventListener('abort', abort, { once: true });
      });
    }
  }
  stats.client = localKinesisClient(fixture.server.endpoint, { maxAttempts: 1, requestHandler: new HangingHandler() });
  return stats;
}

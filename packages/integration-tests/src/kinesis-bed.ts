/** The Kinesis side of a test file: an emulator on a free loopback port and a client for the test itself. */
import { DescribeStreamSummaryCommand, ListShardsCommand, SplitShardCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import { localKinesisClient, startKinesalite, startKinesisLocal, type LocalServer } from '@kcl/testbed';
import { delay } from './wait';

export interface KinesisBed {
  server: LocalServer;
  endpoint: string;
  /** The test's own client (producer, admin calls). Workers get their own with {@link KinesisBed.newClient}. */
  kinesis: KinesisClient;
  /** A fresh client for one worker (destroyed by {@link KinesisBed.stop}). */
  newClient(): KinesisClient;
  stop(): Promise<void>;
}

function bed(server: LocalServer): KinesisBed {
  const clients: KinesisClient[] = [];
  const newClient = (): KinesisClient => {
    const client = localKinesisClient(server.endpoint);
    clients.push(client);
    return client;
  };
  return {
    server,
    endpoint: server.endpoint,
    kinesis: newClient(),
    newClient,
    async stop() {
      for (const client of clients.splice(0)) client.destroy();
      await server.stop();
    },
  };
}

/** kinesalite (in-process, fast): SplitShard/MergeShards, no ChildShards. */
export async function startKinesaliteBed(): Promise<KinesisBed> {
  return bed(await startKinesalite({ shardLimit: 1_000 }));
}

/** kinesis-local (child process, slow): ChildShards, UpdateShardCount. */
export async function startKinesisLocalBed(): Promise<KinesisBed> {
  return bed(await startKinesisLocal());
}

/** Every shard of the stream (all pages). */
export async function listAllShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    const out = await kinesis.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }));
    shards.push(...(out.Shards ?? []));
    nextToken = out.NextToken;
  } while (nextToken);
  return shards;
}

/** Waits until the stream is ACTIVE again (after a reshard). */
export async function waitStreamActive(kinesis: KinesisClient, streamName: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    if (performance.now() > deadline) throw new Error(`stream ${streamName} not ACTIVE after ${timeoutMs} ms`);
    await delay(20);
  }
}

/** Shard id number `n` as Kinesis names it: `shardId-000000000003`. */
export function shardId(n: number): string {
  return `shardId-${String(n).padStart(12, '0')}`;
}

/** Splits `parent` at the middle of its hash key range (SplitShard); returns the split point. */
export async function splitShardInHalf(kinesis: KinesisClient, streamName: string, parent: string): Promise<bigint> {
  const shard = (await listAllShards(kinesis, streamName)).find((s) => s.ShardId === parent);
  const range = shard?.HashKeyRange;
  if (!range?.StartingHashKey || !range.EndingHashKey) throw new Error(`splitShardInHalf: no shard ${parent}`);
  const middle = (BigInt(range.StartingHashKey) + BigInt(range.EndingHashKey) + 1n) / 2n;
  await kinesis.send(new SplitShardCommand({ StreamName: streamName, ShardToSplit: parent, NewStartingHashKey: middle.toString() }));
  return middle;
}

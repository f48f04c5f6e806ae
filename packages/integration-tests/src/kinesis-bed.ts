/** The Kinesis side of a test file: an emulator on a free loopback port and a client for the test itself. */
import { SplitShardCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { listAllShards, localKinesisClient, startKinesalite, startKinesisLocal, type LocalServer } from '@kcl/testbed';

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

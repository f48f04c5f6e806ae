import { SplitShardCommand, type KinesisClient, type ListShardsCommand } from '@aws-sdk/client-kinesis';
import { createTestStream, listAllShards, localKinesisClient, startKinesalite, waitFor, waitForStreamActive, type LocalServer } from '../src';

describe('waitFor', () => {
  it('resolves once an (async) predicate holds', async () => {
    let calls = 0;
    await waitFor(async () => ++calls >= 3, 'the third call', 1_000, 1);
    expect(calls).toBe(3);
  });

  it('fails naming what it waited for after the timeout', async () => {
    await expect(waitFor(() => false, 'the impossible', 30)).rejects.toThrow('timed out after 30 ms waiting for the impossible');
  });
});

describe('listAllShards', () => {
  it('follows NextToken and asks by token only after the first page', async () => {
    const inputs: unknown[] = [];
    const pages = [
      { Shards: [{ ShardId: 'a' }], NextToken: 't1' },
      { Shards: [{ ShardId: 'b' }, { ShardId: 'c' }], NextToken: 't2' },
      { Shards: [], NextToken: undefined },
    ];
    const fake = {
      send: async (command: ListShardsCommand) => {
        inputs.push(command.input);
        return pages[inputs.length - 1];
      },
    } as unknown as KinesisClient;
    const shards = await listAllShards(fake, 's');
    expect(shards.map((s) => s.ShardId)).toEqual(['a', 'b', 'c']);
    expect(inputs).toEqual([{ StreamName: 's' }, { NextToken: 't1' }, { NextToken: 't2' }]);
  });
});

describe('waitForStreamActive (kinesalite)', () => {
  let server: LocalServer;
  let client: KinesisClient;

  beforeAll(async () => {
    server = await startKinesalite({ updateStreamMs: 200 });
    client = localKinesisClient(server.endpoint);
  });

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('waits out the UPDATING state of a split, after which the parent and both children are listed', async () => {
    const stream = await createTestStream(client, { shardCount: 1 });
    const [parent] = await listAllShards(client, stream);
    const range = parent!.HashKeyRange!;
    const middle = (BigInt(range.StartingHashKey!) + BigInt(range.EndingHashKey!) + 1n) / 2n;
    await client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: parent!.ShardId, NewStartingHashKey: middle.toString() }));
    await waitForStreamActive(client, stream, 5_000);
    const shards = await listAllShards(client, stream);
    expect(shards).toHaveLength(3);
    expect(shards.filter((s) => s.ParentShardId === parent!.ShardId)).toHaveLength(2);
  });

  it('fails with the waiter’s timeout for a stream that never appears', async () => {
    await expect(waitForStreamActive(client, 'kcl-test-missing', 300)).rejects.toThrow(/TIMEOUT/);
  });
});

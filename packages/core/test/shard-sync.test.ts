/** Shard sync: ListShards pagination, parents of splits and merges, hash key ranges, the registry's view. */
import {
  DescribeStreamSummaryCommand,
  InvalidArgumentException,
  MergeShardsCommand,
  type KinesisClient,
  type ListShardsCommandOutput,
} from '@aws-sdk/client-kinesis';
import { AbortedError, KinesisError } from '../src/errors';
import { listAllShards } from '../src/shards/list-shards';
import { ShardRegistry } from '../src/shards/shard-registry';
import { ShardSync } from '../src/shards/shard-sync';
import { splitShard } from './helpers/consumer-kinesis';
import { RecordingLogger } from './helpers/consumer-recorders';
import { createTestStream, startKinesaliteFixture, type KinesaliteFixture } from './helpers/worker-harness';
import { localKinesisClient } from '@kcl/testbed';

let fx: KinesaliteFixture;
beforeAll(async () => {
  fx = await startKinesaliteFixture();
});
afterAll(async () => {
  await fx.stop();
});

async function waitActive(kinesis: KinesisClient, stream: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('stream not ACTIVE');
}

/**
 * Kinesalite returns every shard in one page. This middleware serves its answer in pages of `size` with NextToken,
 * and rejects a follow-up request that carries the stream name as well (as Kinesis does).
 */
function paginate(client: KinesisClient, size: number): { requests: Array<Record<string, unknown>> } {
  const requests: Array<Record<string, unknown>> = [];
  let all: ListShardsCommandOutput['Shards'] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'ListShardsCommand') return next(args);
      const input = args.input as Record<string, unknown>;
      requests.push({ ...input });
      if (input['NextToken'] !== undefined && input['StreamName'] !== undefined) {
        throw new InvalidArgumentException({ message: 'NextToken and StreamName cannot be provided together.', $metadata: {} });
      }
      let offset = 0;
      if (input['NextToken'] === undefined) {
        const full = (await next(args)) as { output: ListShardsCommandOutput };
        all = full.output.Shards ?? [];
      } else {
        offset = Number((input['NextToken'] as string).replace('page-', ''));
      }
      const page = (all ?? []).slice(offset, offset + size);
      const nextOffset = offset + size;
      return {
        output: { Shards: page, NextToken: nextOffset < (all ?? []).length ? `page-${nextOffset}` : undefined, $metadata: {} },
        response: {},
      };
    },
    { step: 'initialize', name: `paginate-${Math.random()}` },
  );
  return { requests };
}

describe('listAllShards', () => {
  test('follows NextToken across pages, sending only the token on follow-up requests', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 5 });
    const client = localKinesisClient(fx.server.endpoint);
    const { requests } = paginate(client, 2);
    const shards = await listAllShards(client, stream);
    client.destroy();
    expect(shards.map((s) => s.shardId)).toEqual([0, 1, 2, 3, 4].map((i) => `shardId-00000000000${i}`));
    expect(requests).toEqual([{ StreamName: stream }, { NextToken: 'page-2' }, { NextToken: 'page-4' }]);
  });

  test('records both parents of a merge, the parent of a split, hash key ranges and closed shards', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
    await fx.kinesis.send(
      new MergeShardsCommand({ StreamName: stream, ShardToMerge: 'shardId-000000000000', AdjacentShardToMerge: 'shardId-000000000001' }),
    );
    await waitActive(fx.kinesis, stream);
    await splitShard(fx.kinesis, stream, 'shardId-000000000002');
    const byId = new Map((await listAllShards(fx.kinesis, stream)).map((s) => [s.shardId, s]));

    expect([...byId.keys()]).toHaveLength(5);
    const merged = byId.get('shardId-000000000002')!;
    expect(merged.parentShardIds).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(merged.endingSequenceNumber).toBeDefined(); // split again: closed
    expect(merged.hashKeyRange).toEqual({ startingHashKey: '0', endingHashKey: (2n ** 128n - 1n).toString() });
    for (const id of ['shardId-000000000003', 'shardId-000000000004']) {
      expect(byId.get(id)!.parentShardIds).toEqual(['shardId-000000000002']);
      expect(byId.get(id)!.endingSequenceNumber).toBeUndefined();
    }
    const left = byId.get('shardId-000000000003')!.hashKeyRange!;
    const right = byId.get('shardId-000000000004')!.hashKeyRange!;
    expect(BigInt(left.endingHashKey) + 1n).toBe(BigInt(right.startingHashKey));
    expect(byId.get('shardId-000000000000')!.parentShardIds).toEqual([]);
    expect(byId.get('shardId-000000000000')!.startingSequenceNumber).toMatch(/^\d+$/);
  });

  test('a missing stream is a non-retryable KinesisError naming the stream; an abort is rethrown as is', async () => {
    const error = await listAllShards(fx.kinesis, 'missing-stream').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KinesisError);
    expect((error as KinesisError).retryable).toBe(false);
    expect((error as KinesisError).message).toContain('missing-stream');
    expect((error as KinesisError).cause).toBeDefined();

    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    const controller = new AbortController();
    controller.abort(new AbortedError('stop'));
    const aborted = await listAllShards(fx.kinesis, stream, controller.signal).catch((e: unknown) => e);
    expect(aborted).not.toBeInstanceOf(KinesisError);
  });
});

describe('ShardSync and ShardRegistry', () => {
  test('sync applies a complete listing and reports new shards once', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
    const registry = new ShardRegistry();
    const sync = new ShardSync({ kinesis: fx.kinesis, streamName: stream, registry, logger: new RecordingLogger() });
    expect(registry.synced).toBe(false);
    expect(await sync.sync()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(registry.synced).toBe(true);
    expect(await sync.sync()).toEqual([]);
    await splitShard(fx.kinesis, stream, 'shardId-000000000001');
    expect(await sync.sync()).toEqual(['shardId-000000000002', 'shardId-000000000003']);
    expect(registry.get('shardId-000000000001')!.endingSequenceNumber).toBeDefined();
    expect(registry.get('shardId-000000000003')!.parentShardIds).toEqual(['shardId-000000000001']);
  });

  test('children reported at shard end are kept until a listing shows them; shards gone from the stream are dropped', () => {
    const registry = new ShardRegistry();
    registry.applyListing([
      { shardId: 'p1', parentShardIds: [] },
      { shardId: 'p2', parentShardIds: [] },
    ]);
    // A merge child reported twice (once by each parent's consumer) keeps both parents.
    expect(registry.addChildren([{ shardId: 'm', parentShards: ['p1'] }])).toEqual(['m']);
    expect(registry.addChildren([{ shardId: 'm', parentShards: ['p2'], hashKeyRange: { startingHashKey: '0', endingHashKey: '9' } }])).toEqual([]);
    expect(registry.get('m')).toEqual({
      shardId: 'm',
      parentShardIds: ['p1', 'p2'],
      hashKeyRange: { startingHashKey: '0', endingHashKey: '9' },
      startingSequenceNumber: undefined,
      endingSequenceNumber: undefined,
    });
    // A listing that lags behind keeps the child; p1 disappeared (trimmed) and is dropped.
    registry.applyListing([{ shardId: 'p2', parentShardIds: [] }]);
    expect(registry.all().map((s) => s.shardId)).toEqual(['m', 'p2']);
    // Once listed, the child follows the listing like any shard.
    registry.applyListing([{ shardId: 'm', parentShardIds: ['p1', 'p2'], startingSequenceNumber: '5' }]);
    expect(registry.get('m')!.startingSequenceNumber).toBe('5');
    registry.applyListing([]);
    expect(registry.size).toBe(0);
  });
});

import type { Server } from 'node:http';
import { checkRange } from './errors';
import { listenOnLoopback, type LocalServer } from './listen';

export interface LocalKinesisOptions {
  /**
   * Port on 127.0.0.1; 0 picks a free one.
   * @defaultValue 0
   */
  port?: number;
  /**
   * Shards the stand-in allows in all streams together (kinesalite's own default is 10).
   * @defaultValue 1000
   */
  shardLimit?: number;
  /**
   * How long a new stream stays CREATING (and a reshard keeps it UPDATING before that delay), in ms.
   * @defaultValue 0
   */
  createStreamMs?: number;
  /**
   * How long a deleted stream stays DELETING, in ms.
   * @defaultValue 0
   */
  deleteStreamMs?: number;
  /**
   * How long a stream stays UPDATING after SplitShard / MergeShards, in ms.
   * @defaultValue 0
   */
  updateStreamMs?: number;
}

type HttpStandIn = (options: Record<string, unknown>) => Server;

/**
 * Starts a Kinesis stand-in (kinesalite, in this process, in memory) on 127.0.0.1. It serves the polling API
 * (CreateStream, ListShards, PutRecords, GetShardIterator, GetRecords, SplitShard, MergeShards, ...); it has no
 * enhanced fan-out, ChildShards or UpdateShardCount.
 * @throws LocalError LOCAL_BAD_OPTION, PORT_IN_USE or START_FAILED
 */
export async function startLocalKinesis(options: LocalKinesisOptions = {}): Promise<LocalServer> {
  checkRange('kinesis', 'port', options.port, 0, 65535);
  checkRange('kinesis', 'shardLimit', options.shardLimit, 1, 100_000);
  checkRange('kinesis', 'createStreamMs', options.createStreamMs, 0, 600_000);
  checkRange('kinesis', 'deleteStreamMs', options.deleteStreamMs, 0, 600_000);
  checkRange('kinesis', 'updateStreamMs', options.updateStreamMs, 0, 600_000);
  // kinesalite ships no types; loaded on first use.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kinesalite = require('kinesalite') as HttpStandIn;
  const server = kinesalite({
    shardLimit: options.shardLimit ?? 1000,
    createStreamMs: options.createStreamMs ?? 0,
    deleteStreamMs: options.deleteStreamMs ?? 0,
    updateStreamMs: options.updateStreamMs ?? 0,
  });
  return listenOnLoopback('kinesis', server, options.port ?? 0);
}

import { checkRange } from './errors';
import { startInProcess } from './in-process';
import type { LocalServer } from './listen';

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

/**
 * Starts a Kinesis stand-in (kinesalite, in this process, in memory) on 127.0.0.1. It serves the polling API
 * (CreateStream, ListShards, PutRecords, GetShardIterator, GetRecords, SplitShard, MergeShards, ...); it has no
 * enhanced fan-out, ChildShards or UpdateShardCount.
 * @throws LocalError LOCAL_BAD_OPTION, PORT_IN_USE or START_FAILED
 */
export async function startLocalKinesis(options: LocalKinesisOptions = {}): Promise<LocalServer> {
  checkRange('kinesis', 'shardLimit', options.shardLimit, 1, 100_000);
  const { createStreamMs, deleteStreamMs, updateStreamMs } = options;
  return startInProcess(
    'kinesis',
    'kinesalite',
    options.port,
    { createStreamMs, deleteStreamMs, updateStreamMs },
    { shardLimit: options.shardLimit ?? 1000 },
  );
}

import type { Server } from 'node:http';
import { checkIntegerOption } from './errors';
import { listenLocal } from './http-server';
import type { LocalServer } from './types';

export interface KinesaliteOptions {
  /**
   * Max shards per account.
   * @defaultValue 100
   */
  shardLimit?: number;
  /**
   * CreateStream/Split/Merge delay in ms (time a stream stays CREATING).
   * @defaultValue 0
   */
  createStreamMs?: number;
  /**
   * Time a stream stays DELETING, in ms.
   * @defaultValue 0
   */
  deleteStreamMs?: number;
  /**
   * Time a stream stays UPDATING after SplitShard / MergeShards, in ms.
   * @defaultValue 0
   */
  updateStreamMs?: number;
  /**
   * Port on 127.0.0.1; 0 picks a free one.
   * @defaultValue 0
   */
  port?: number;
}

type KinesaliteFactory = (options: Record<string, unknown>) => Server;

/**
 * Starts kinesalite (in-process, in-memory) on 127.0.0.1. Fast; use it for polling tests. It has no ChildShards,
 * ShardFilter, UpdateShardCount or enhanced fan-out: use startKinesisLocal() for those.
 */
export async function startKinesalite(options: KinesaliteOptions = {}): Promise<LocalServer> {
  checkIntegerOption('kinesalite', 'shardLimit', options.shardLimit, 1, 100_000);
  checkIntegerOption('kinesalite', 'createStreamMs', options.createStreamMs, 0, 600_000);
  checkIntegerOption('kinesalite', 'deleteStreamMs', options.deleteStreamMs, 0, 600_000);
  checkIntegerOption('kinesalite', 'updateStreamMs', options.updateStreamMs, 0, 600_000);
  checkIntegerOption('kinesalite', 'port', options.port, 0, 65535);
  // kinesalite ships no types; loaded on first use.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kinesalite = require('kinesalite') as KinesaliteFactory;
  const server = kinesalite({
    shardLimit: options.shardLimit ?? 100,
    createStreamMs: options.createStreamMs ?? 0,
    deleteStreamMs: options.deleteStreamMs ?? 0,
    updateStreamMs: options.updateStreamMs ?? 0,
  });
  return listenLocal('kinesalite', server, options.port ?? 0);
}

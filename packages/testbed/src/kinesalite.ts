import { startLocalKinesis, type LocalKinesisOptions, type LocalServer } from '@kcl/local';

/**
 * startLocalKinesis()'s options (port, shardLimit, createStreamMs, deleteStreamMs, updateStreamMs); for the test bed
 * shardLimit defaults to 100 instead of @kcl/local's 1000.
 */
export type KinesaliteOptions = LocalKinesisOptions;

/**
 * Starts kinesalite (in-process, in-memory) on 127.0.0.1 through @kcl/local's startLocalKinesis (errors are its
 * LocalError). Fast; use it for polling tests. It has no ChildShards, ShardFilter, UpdateShardCount or enhanced
 * fan-out: use startKinesisLocal() for those.
 */
export function startKinesalite(options: KinesaliteOptions = {}): Promise<LocalServer> {
  return startLocalKinesis({ ...options, shardLimit: options.shardLimit ?? 100 });
}

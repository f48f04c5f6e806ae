/**
 * The Redis lease store through `@kcl/checkpoint-redis` (loaded when `--store redis` is used), on one node-redis
 * client the CLI opens (`--redis-url`) and injects into the backend. Single servers only (a Redis Cluster needs the
 * backend's hash-tag layout; not supported by the CLI). Keys: the backend's `leaseKeys(--key-prefix, --table)`.
 * `reset` runs reset-lease.lua.ts (see lease-store.ts).
 */
import type { RedisCheckpoint, RedisCheckpointOptions, leaseKeys as LeaseKeysFn, LEASE_HASH_FIELDS as Fields } from '@kcl/checkpoint-redis';
import { SHARD_END, type KinesisClientLibConfig } from '@kcl/core';
import type { CliOptions } from '../args';
import { LeaseChangedError, LeaseNotFoundError, ShardEndedError } from '../errors';
import type { LeaseStoreAccess } from './lease-store';
import { releaseAsOwner } from './release-as-owner';
import { loadBackend } from './load-backend';
import { RESET_LEASE_RESULT, RESET_LEASE_SCRIPT } from './reset-lease.lua';
import { storeConfig } from './store-config';

interface BackendModule {
  RedisCheckpoint: new (config: KinesisClientLibConfig, options?: RedisCheckpointOptions) => RedisCheckpoint;
  leaseKeys: typeof LeaseKeysFn;
  LEASE_HASH_FIELDS: typeof Fields;
}

/** The part of a node-redis client the CLI uses. */
interface CliRedisClient {
  connect(): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
}

interface ClientModule {
  createClient(options: { url: string }): CliRedisClient;
}

export async function openRedisStore(options: CliOptions): Promise<LeaseStoreAccess> {
  const { backend, client: redis } = loadBackend<BackendModule, ClientModule>('@kcl/checkpoint-redis', 'redis');
  const client = redis.createClient({ url: options.redisUrl });
  await client.connect();
  const closeClient = async (): Promise<void> => {
    await (client.close ? client.close() : client.quit?.());
  };
  const keys = backend.leaseKeys(options.keyPrefix, options.table, false);
  const F = backend.LEASE_HASH_FIELDS;
  const open = async (workerId?: string): Promise<RedisCheckpoint> => {
    const store = new backend.RedisCheckpoint(storeConfig(options, workerId), {
      client: client as unknown as NonNullable<RedisCheckpointOptions['client']>,
      keyPrefix: options.keyPrefix,
      hashTag: false,
    });
    await store.init();
    return store;
  };
  let reader: RedisCheckpoint;
  try {
    reader = await open();
  } catch (error) {
    await closeClient();
    throw error;
  }

  return {
    listLeases: () => reader.listLeases(),
    release: (lease) => releaseAsOwner(open, lease),
    reset: async (lease, checkpoint) => {
      const result = await client.eval(RESET_LEASE_SCRIPT, {
        keys: [keys.shard(lease.id)],
        arguments: [
          String(lease.leaseCounter),
          checkpoint,
          keys.ownerPrefix,
          lease.id,
          F.checkpoint,
          F.leaseCounter,
          F.subSequenceNumber,
          F.assignedTo,
          F.leaseToken,
          F.leaseTimeout,
          SHARD_END,
        ],
      });
      if (result === RESET_LEASE_RESULT.absent) throw new LeaseNotFoundError(lease.id);
      if (result === RESET_LEASE_RESULT.changed) throw new LeaseChangedError(lease.id);
      if (result === RESET_LEASE_RESULT.shardEnd) throw new ShardEndedError(lease.id);
      if (result !== RESET_LEASE_RESULT.ok) throw new Error(`reset-lease script returned ${String(result)} (expected 0-3)`);
    },
    close: async () => {
      await reader.close();
      await closeClient();
    },
  };
}

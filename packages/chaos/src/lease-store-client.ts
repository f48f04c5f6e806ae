/**
 * Builds the lease store client (a Checkpointer) described by a {@link StoreSpec}: DynamoCheckpoint, RedisCheckpoint
 * on one server, or RedisCheckpoint on a node-redis cluster client whose node addresses are mapped to the proxies.
 */
import { DynamoCheckpoint } from '@kcl/checkpoint-dynamodb';
import { RedisCheckpoint } from '@kcl/checkpoint-redis';
import type { Checkpointer, KinesisClientLibConfig } from '@kcl/core';
import { LOCAL_CREDENTIALS } from '@kcl/testbed';
import { createCluster } from 'redis';
import type { StoreSpec } from './worker-settings';

export interface StoreClient {
  checkpointer: Checkpointer;
  /** Closes the checkpointer and any client built for it. */
  close(): Promise<void>;
}

/** Sets the config's table name (and DynamoDB endpoint) and builds the checkpointer. */
export function createStoreClient(spec: StoreSpec, config: KinesisClientLibConfig, timeoutMillis: number): StoreClient {
  config.withTableName(spec.tableName);
  if (spec.kind === 'dynamodb') {
    config.withDynamoDBEndpoint(spec.endpoint).withDynamoDBCredentials({ ...LOCAL_CREDENTIALS });
    const checkpointer = new DynamoCheckpoint(config, {
      connectionTimeoutMillis: Math.min(timeoutMillis, 1_000),
      requestTimeoutMillis: timeoutMillis,
      maxAttempts: 2,
    });
    return { checkpointer, close: () => checkpointer.close() };
  }
  if (spec.kind === 'redis') {
    const checkpointer = new RedisCheckpoint(config, {
      address: spec.address,
      keyPrefix: spec.keyPrefix,
      connectTimeoutMillis: Math.max(timeoutMillis, 2_000),
      commandTimeoutMillis: timeoutMillis,
    });
    return { checkpointer, close: () => checkpointer.close() };
  }
  const map = spec.addressMap;
  const cluster = createCluster({
    rootNodes: spec.rootNodes.map((url) => ({ url })),
    nodeAddressMap: (address: string) => {
      const mapped = map[address] ?? address;
      const [host, port] = mapped.split(':');
      return { host: host ?? '127.0.0.1', port: Number(port) };
    },
    defaults: {
      socket: { connectTimeout: Math.max(timeoutMillis, 1_000), reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500) },
    },
  });
  cluster.on('error', () => undefined);
  const checkpointer = new RedisCheckpoint(config, {
    cluster,
    keyPrefix: spec.keyPrefix,
    connectTimeoutMillis: Math.max(timeoutMillis, 2_000),
    commandTimeoutMillis: timeoutMillis,
  });
  return {
    checkpointer,
    close: async () => {
      await checkpointer.close();
      if (cluster.isOpen) await cluster.close().catch(() => cluster.destroy());
    },
  };
}

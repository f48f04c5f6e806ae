/**
 * The one builder of a test's lease store client (a Checkpointer) from where the store is, used by the end-to-end
 * tests here, their worker processes and the chaos workers: DynamoCheckpoint, RedisCheckpoint on one server, or
 * RedisCheckpoint on a node-redis cluster client whose node addresses are mapped (e.g. to fault proxies).
 */
import { DynamoCheckpoint } from '@kcl/checkpoint-dynamodb';
import { RedisCheckpoint } from '@kcl/checkpoint-redis';
import type { Checkpointer, KinesisClientLibConfig } from '@kcl/core';
import { LOCAL_CREDENTIALS } from '@kcl/testbed';
import { createCluster } from 'redis';

/** Where a lease store is, as a worker reaches it (possibly through fault proxies). Plain JSON, so it can go to a child. */
export type StoreTarget =
  | { kind: 'dynamodb'; endpoint: string; tableName: string }
  | { kind: 'redis'; address: string; tableName: string; keyPrefix: string }
  | {
      kind: 'redis-cluster';
      /** `redis://host:port` of each master, as the workers reach it. */
      rootNodes: string[];
      /** Node address the cluster announces (`host:port`) -> address to use instead (its proxy). */
      addressMap: Record<string, string>;
      tableName: string;
      keyPrefix: string;
    };

/** Options of {@link createStoreClient}. */
export interface StoreClientOptions {
  /** Store call timeout (Redis command timeout; DynamoDB request timeout). */
  timeoutMillis: number;
  /** DynamoDB attempts per call. @defaultValue the DynamoCheckpoint default */
  dynamoMaxAttempts?: number;
}

export interface StoreClient {
  checkpointer: Checkpointer;
  /** Closes the checkpointer and any client built for it. */
  close(): Promise<void>;
}

/** Sets the config's table name (and DynamoDB endpoint) and builds the checkpointer. */
export function createStoreClient(spec: StoreTarget, config: KinesisClientLibConfig, options: StoreClientOptions): StoreClient {
  const { timeoutMillis, dynamoMaxAttempts } = options;
  config.withTableName(spec.tableName);
  if (spec.kind === 'dynamodb') {
    config.withDynamoDBEndpoint(spec.endpoint).withDynamoDBCredentials({ ...LOCAL_CREDENTIALS });
    const checkpointer = new DynamoCheckpoint(config, {
      connectionTimeoutMillis: Math.min(timeoutMillis, 1_000),
      requestTimeoutMillis: timeoutMillis,
      ...(dynamoMaxAttempts === undefined ? {} : { maxAttempts: dynamoMaxAttempts }),
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

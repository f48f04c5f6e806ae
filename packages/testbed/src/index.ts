// API of the local test bed (private package). STUB signatures agreed with every package's tests; the implementation
// replaces the bodies but keeps these names and shapes.
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface LocalServer {
  /** 127.0.0.1 */
  host: string;
  port: number;
  /** e.g. http://127.0.0.1:4567 (https:// for kinesis-local) */
  endpoint: string;
  stop(): Promise<void>;
}

export interface RedisServerHandle extends LocalServer {
  /** redis://[:password@]127.0.0.1:port or rediss://... */
  url: string;
  /** host:port */
  address: string;
  password?: string | undefined;
  /** PEM of the throwaway CA that signed the server certificate (TLS mode only). */
  tlsCa?: string | undefined;
}

export interface RedisClusterHandle {
  /** One entry per master, 127.0.0.1 ports. */
  nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

export interface KinesaliteOptions {
  /** Max shards per account (default 100). */
  shardLimit?: number;
  /** CreateStream/Split/Merge delay in ms (default 0). */
  createStreamMs?: number;
}

export declare function startKinesalite(options?: KinesaliteOptions): Promise<LocalServer>;
export declare function startKinesisLocal(): Promise<LocalServer>;
export declare function startDynalite(): Promise<LocalServer>;
export declare function startRedis(options?: { password?: string; tls?: boolean }): Promise<RedisServerHandle>;
export declare function startRedisCluster(options?: { masters?: number }): Promise<RedisClusterHandle>;
/** A unique name like `kcl-test-<prefix>-<random>` for streams, tables and key prefixes. */
export declare function randomName(prefix?: string): string;
/** Kinesis client for a local endpoint (HTTP/1.1 handler, dummy credentials, region us-east-1). */
export declare function localKinesisClient(endpoint: string): KinesisClient;
/** DynamoDB client for a local endpoint (dummy credentials, region us-east-1). */
export declare function localDynamoClient(endpoint: string): DynamoDBClient;
/** Creates a stream and waits until ACTIVE; returns its name. */
export declare function createTestStream(client: KinesisClient, options?: { shardCount?: number; name?: string }): Promise<string>;

/**
 * Direct access to the lease rows of a test table, to set up leases (as a worker would have left them) and to look at
 * what the CLI wrote, without going through the Checkpointer contract. One driver per store.
 */
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoCheckpoint } from '@kcl/checkpoint-dynamodb';
import { leaseKeys, RedisCheckpoint } from '@kcl/checkpoint-redis';
import { KinesisClientLibConfig, LEASE_ROW_FIELDS as F, NOOP_LOGGER } from '@kcl/core';
import { localDynamoClient, randomName, startDynalite, startRedis, type LocalServer, type RedisServerHandle } from '@kcl/testbed';
import { createClient } from 'redis';

/** A lease row as a test writes and reads it. */
export interface RawLease {
  shardId: string;
  owner?: string | undefined;
  token?: string | undefined;
  counter?: number | undefined;
  checkpoint?: string | undefined;
  subSequenceNumber?: number | undefined;
  claim?: string | undefined;
  parents?: string[] | undefined;
}

export interface RawStore {
  /** `kcl` arguments selecting this store and table (without the command). */
  args(app: string, stream: string): string[];
  /** A fresh, initialised lease table; returns its name (= the app name used). */
  newTable(): Promise<string>;
  put(table: string, lease: RawLease): Promise<void>;
  get(table: string, shardId: string): Promise<RawLease | undefined>;
  /** A renewal, as raw write: counter + 1. */
  bump(table: string, shardId: string): Promise<void>;
  /** Members of the owner set (Redis) or undefined (DynamoDB has none). */
  ownerSet?(table: string, owner: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function dynamoStore(): Promise<RawStore> {
  const server: LocalServer = await startDynalite();
  const client: DynamoDBClient = localDynamoClient(server.endpoint);
  return {
    args: (app, stream) => ['--app', app, '--stream', stream, '--store', 'dynamodb', '--endpoint', server.endpoint, '--region', 'us-east-1'],
    newTable: async () => {
      const table = randomName('cli');
      const config = new KinesisClientLibConfig(table, 'stream', 'us-east-1', 'setup').withLogger(NOOP_LOGGER);
      const store = new DynamoCheckpoint(config).withDynamoDB(client);
      await store.init();
      await store.close();
      return table;
    },
    put: async (table, lease) => {
      const item: Record<string, AttributeValue> = { [F.shardId]: { S: lease.shardId }, [F.leaseCounter]: { N: String(lease.counter ?? 0) } };
      if (lease.owner) item[F.assignedTo] = { S: lease.owner };
      if (lease.token) item[F.leaseToken] = { S: lease.token };
      if (lease.checkpoint) item[F.checkpoint] = { S: lease.checkpoint };
      if (lease.subSequenceNumber !== undefined) item[F.subSequenceNumber] = { N: String(lease.subSequenceNumber) };
      if (lease.claim) item[F.claimRequest] = { S: lease.claim };
      if (lease.parents?.length) {
        item[F.parentShardId] = { S: lease.parents[0]! };
        item[F.parentShardIds] = { L: lease.parents.map((p) => ({ S: p })) };
      }
      await client.send(new PutItemCommand({ TableName: table, Item: item }));
    },
    get: async (table, shardId) => {
      const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: { [F.shardId]: { S: shardId } }, ConsistentRead: true }));
      if (!Item) return undefined;
      return {
        shardId,
        owner: Item[F.assignedTo]?.S,
        token: Item[F.leaseToken]?.S,
        counter: Number(Item[F.leaseCounter]?.N ?? 0),
        checkpoint: Item[F.checkpoint]?.S,
        subSequenceNumber: Item[F.subSequenceNumber]?.N === undefined ? undefined : Number(Item[F.subSequenceNumber]?.N),
        claim: Item[F.claimRequest]?.S,
      };
    },
    bump: async (table, shardId) => {
      await client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { [F.shardId]: { S: shardId } },
          UpdateExpression: 'ADD #c :one',
          ExpressionAttributeNames: { '#c': F.leaseCounter },
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
      );
    },
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}

export async function redisStore(): Promise<RawStore> {
  const server: RedisServerHandle = await startRedis();
  const raw = createClient({ url: server.url });
  await raw.connect();
  const keys = (table: string) => leaseKeys('kcl', table, false);
  return {
    args: (app, stream) => ['--app', app, '--stream', stream, '--store', 'redis', '--redis-url', server.url],
    newTable: async () => {
      const table = randomName('cli');
      const config = new KinesisClientLibConfig(table, 'stream', 'us-east-1', 'setup').withLogger(NOOP_LOGGER);
      const store = new RedisCheckpoint(config, { address: server.url });
      await store.init();
      await store.close();
      return table;
    },
    put: async (table, lease) => {
      const k = keys(table);
      const hash: Record<string, string> = { [F.shardId]: lease.shardId, [F.leaseCounter]: String(lease.counter ?? 0) };
      if (lease.owner) hash[F.assignedTo] = lease.owner;
      if (lease.token) hash[F.leaseToken] = lease.token;
      if (lease.checkpoint) hash[F.checkpoint] = lease.checkpoint;
      if (lease.subSequenceNumber !== undefined) hash[F.subSequenceNumber] = String(lease.subSequenceNumber);
      if (lease.claim) hash[F.claimRequest] = lease.claim;
      if (lease.parents?.length) {
        hash[F.parentShardId] = lease.parents[0]!;
        hash[F.parentShardIds] = lease.parents.join(',');
      }
      await raw.del(k.shard(lease.shardId));
      await raw.hSet(k.shard(lease.shardId), hash);
      await raw.sAdd(k.shards, lease.shardId);
      if (lease.owner) await raw.sAdd(k.ownerSet(lease.owner), lease.shardId);
    },
    get: async (table, shardId) => {
      const hash = await raw.hGetAll(keys(table).shard(shardId));
      if (Object.keys(hash).length === 0) return undefined;
      return {
        shardId,
        owner: hash[F.assignedTo],
        token: hash[F.leaseToken],
        counter: Number(hash[F.leaseCounter] ?? 0),
        checkpoint: hash[F.checkpoint],
        subSequenceNumber: hash[F.subSequenceNumber] === undefined ? undefined : Number(hash[F.subSequenceNumber]),
        claim: hash[F.claimRequest],
      };
    },
    bump: async (table, shardId) => {
      await raw.hIncrBy(keys(table).shard(shardId), F.leaseCounter, 1);
    },
    ownerSet: (table, owner) => raw.sMembers(keys(table).ownerSet(owner)),
    stop: async () => {
      await raw.close();
      await server.stop();
    },
  };
}

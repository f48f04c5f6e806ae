/**
 * The DynamoDB lease table through `@kcl/checkpoint-dynamodb` (loaded when `--store dynamodb` is used). The table is
 * never created or altered (`createTable: false`, `createOwnerIndex: false`). `reset` is one UpdateItem conditional
 * on the observed LeaseCounter (see lease-store.ts), with the attribute names of core's LEASE_ROW_FIELDS.
 */
import type { DynamoDBClient, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { DynamoCheckpoint, DynamoCheckpointOptions } from '@kcl/checkpoint-dynamodb';
import { LEASE_ROW_FIELDS as F, SHARD_END, type KinesisClientLibConfig, type ShardStatus } from '@kcl/core';
import type { CliOptions } from '../args';
import { LeaseChangedError } from '../errors';
import type { LeaseStoreAccess } from './lease-store';
import { releaseAsOwner } from './release-as-owner';
import { loadBackend } from './load-backend';
import { storeConfig } from './store-config';

type BackendModule = { DynamoCheckpoint: new (config: KinesisClientLibConfig, options?: DynamoCheckpointOptions) => DynamoCheckpoint };
type ClientModule = typeof import('@aws-sdk/client-dynamodb');

const READ_ONLY: DynamoCheckpointOptions = { createTable: false, createOwnerIndex: false };

export async function openDynamoStore(options: CliOptions): Promise<LeaseStoreAccess> {
  const { backend, client: sdk } = loadBackend<BackendModule, ClientModule>('@kcl/checkpoint-dynamodb', '@aws-sdk/client-dynamodb');
  const client: DynamoDBClient = new sdk.DynamoDBClient({
    region: storeConfig(options).regionName,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  });
  const open = async (workerId?: string): Promise<DynamoCheckpoint> => {
    const store = new backend.DynamoCheckpoint(storeConfig(options, workerId), READ_ONLY).withDynamoDB(client);
    await store.init();
    return store;
  };
  let reader: DynamoCheckpoint;
  try {
    reader = await open();
  } catch (error) {
    client.destroy();
    throw error;
  }

  return {
    listLeases: () => reader.listLeases(),
    release: (lease) => releaseAsOwner(open, lease),
    reset: async (lease, checkpoint) => {
      await resetItem(client, sdk, options.table, lease, checkpoint);
    },
    close: async () => {
      await reader.close();
      client.destroy();
    },
  };
}

async function resetItem(client: DynamoDBClient, sdk: ClientModule, table: string, lease: ShardStatus, checkpoint: string): Promise<void> {
  const counterMatches = lease.leaseCounter === 0 ? '(attribute_not_exists(#counter) OR #counter = :observed)' : '#counter = :observed';
  const input: UpdateItemCommandInput = {
    TableName: table,
    Key: { [F.shardId]: { S: lease.id } },
    UpdateExpression: 'SET #checkpoint = :checkpoint, #counter = if_not_exists(#counter, :zero) + :one REMOVE #sub, #owner, #token, #timeout',
    ConditionExpression: `attribute_exists(#shard) AND ${counterMatches} AND (attribute_not_exists(#checkpoint) OR #checkpoint <> :shardEnd)`,
    ExpressionAttributeNames: {
      '#shard': F.shardId,
      '#checkpoint': F.checkpoint,
      '#counter': F.leaseCounter,
      '#sub': F.subSequenceNumber,
      '#owner': F.assignedTo,
      '#token': F.leaseToken,
      '#timeout': F.leaseTimeout,
    },
    ExpressionAttributeValues: {
      ':checkpoint': { S: checkpoint },
      ':observed': { N: String(lease.leaseCounter) },
      ':zero': { N: '0' },
      ':one': { N: '1' },
      ':shardEnd': { S: SHARD_END },
    },
  };
  try {
    await client.send(new sdk.UpdateItemCommand(input));
  } catch (error) {
    if (error instanceof sdk.ConditionalCheckFailedException) throw new LeaseChangedError(lease.id, { cause: error });
    throw error;
  }
}

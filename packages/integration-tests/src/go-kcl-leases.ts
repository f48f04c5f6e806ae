/**
 * Lease rows exactly as go-kcl writes them (no @kcl attributes: no LeaseCounter, no LeaseToken), for the
 * compatibility tests: DynamoDB items in a table go-kcl would create (hash key `ShardID`, provisioned capacity) and
 * Redis hashes under `<prefix>:<table>:shard:<id>` plus the `<prefix>:<table>:shards` set.
 */
import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createTestTable, localDynamoClient } from '@kcl/testbed';
import { createClient } from 'redis';
import type { StoreSpec } from './lease-stores';

export interface GoKclLease {
  shardId: string;
  /** Owner (a worker id); absent for an unowned lease. */
  assignedTo?: string;
  /** Written in Go's time.RFC3339Nano form (nine fractional digits). */
  leaseTimeout?: Date;
  /** Sequence number or `SHARD_END`. */
  checkpoint?: string;
  parentShardId?: string;
}

/** `2026-01-02T03:04:05.678901234Z`: Go's RFC3339Nano with all nine digits (go-kcl's LeaseTimeout format). */
export function rfc3339Nano(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1901234Z');
}

function goKclFields(lease: GoKclLease): Record<string, string> {
  const fields: Record<string, string> = { ShardID: lease.shardId };
  if (lease.assignedTo !== undefined) fields['AssignedTo'] = lease.assignedTo;
  if (lease.leaseTimeout !== undefined) fields['LeaseTimeout'] = rfc3339Nano(lease.leaseTimeout);
  if (lease.checkpoint !== undefined) fields['Checkpoint'] = lease.checkpoint;
  if (lease.parentShardId !== undefined) fields['ParentShardId'] = lease.parentShardId;
  return fields;
}

/** Writes `leases` to the store of `spec` (creating the DynamoDB table as go-kcl does). */
export async function writeGoKclLeases(spec: StoreSpec, leases: GoKclLease[]): Promise<void> {
  const { host, port } = spec.address;
  const { tableName, keyPrefix } = spec.namespace;
  if (spec.name === 'dynamodb') {
    const client = localDynamoClient(`http://${host}:${port}`);
    try {
      await createTestTable(client, { name: tableName, partitionKey: 'ShardID', provisioned: { readCapacityUnits: 10, writeCapacityUnits: 10 } });
      for (const lease of leases) {
        const item: Record<string, AttributeValue> = {};
        for (const [name, value] of Object.entries(goKclFields(lease))) item[name] = { S: value };
        await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
      }
    } finally {
      client.destroy();
    }
    return;
  }
  const client = createClient({ url: `redis://${host}:${port}` });
  await client.connect();
  try {
    for (const lease of leases) {
      await client.hSet(`${keyPrefix}:${tableName}:shard:${lease.shardId}`, goKclFields(lease));
      await client.sAdd(`${keyPrefix}:${tableName}:shards`, lease.shardId);
    }
  } finally {
    await client.close();
  }
}

/** Reads the raw go-kcl fields of every lease back (for checking what @kcl left in go-kcl's columns). */
export async function readRawLeaseFields(spec: StoreSpec, shardIds: string[]): Promise<Map<string, Record<string, string>>> {
  const { host, port } = spec.address;
  const { tableName, keyPrefix } = spec.namespace;
  const result = new Map<string, Record<string, string>>();
  if (spec.name === 'dynamodb') {
    const client = localDynamoClient(`http://${host}:${port}`);
    try {
      for (const shardId of shardIds) {
        const out = await client.send(new GetItemCommand({ TableName: tableName, Key: { ShardID: { S: shardId } }, ConsistentRead: true }));
        const fields: Record<string, string> = {};
        for (const [name, value] of Object.entries(out.Item ?? {})) {
          if (value.S !== undefined) fields[name] = value.S;
          else if (value.N !== undefined) fields[name] = value.N;
        }
        result.set(shardId, fields);
      }
    } finally {
      client.destroy();
    }
    return result;
  }
  const client = createClient({ url: `redis://${host}:${port}` });
  await client.connect();
  try {
    for (const shardId of shardIds) result.set(shardId, await client.hGetAll(`${keyPrefix}:${tableName}:shard:${shardId}`));
  } finally {
    await client.close();
  }
  return result;
}

// The shared conformance suite on tables without the owner index (as go-kcl or an older @kcl created them) and
// createOwnerIndex: false, so listOwnedLeases answers from its Scan fallback: the contract holds there as well.
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClientLibConfig } from '@kcl/core';
import { runCheckpointerConformance } from '@kcl/core/testing';
import { LOCAL_CREDENTIALS, randomName, useDynalite } from '@kcl/testbed';
import { DynamoCheckpoint } from '../src';
import { recordingLogger } from './helpers';
import type { LogLine } from './helpers';

const dynalite = useDynalite();
const tables = new Map<string, Promise<unknown>>();
const lines: LogLine[] = [];

/** Creates `tableName` once, with the hash key ShardID only (no owner index). */
function tableWithoutIndex(tableName: string): Promise<unknown> {
  let created = tables.get(tableName);
  if (created === undefined) {
    created = dynalite.client().send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'ShardID', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'ShardID', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    tables.set(tableName, created);
  }
  return created;
}

runCheckpointerConformance({
  name: 'DynamoCheckpoint (dynalite, no owner index: Scan fallback)',
  newTableName: () => randomName('conformance-scan'),
  create: async ({ tableName, workerId, failoverTimeMillis }) => {
    await tableWithoutIndex(tableName);
    const config = new KinesisClientLibConfig(tableName, 'conformance-stream', 'us-east-1', workerId)
      .withDynamoDBEndpoint(dynalite.endpoint())
      .withDynamoDBCredentials(LOCAL_CREDENTIALS)
      .withFailoverTimeMillis(failoverTimeMillis)
      .withLogger(recordingLogger(lines));
    return new DynamoCheckpoint(config, { createOwnerIndex: false });
  },
});

test('the fallback was used: the suite logged the scan warning (state missing, createOwnerIndex false)', () => {
  const warned = lines.filter((l) => l.level === 'warn' && l.message.startsWith('listOwnedLeases scans the table'));
  expect(warned.length).toBeGreaterThan(0);
  expect(warned.every((l) => l.fields.state === 'missing' && l.message.includes('createOwnerIndex is false'))).toBe(true);
});

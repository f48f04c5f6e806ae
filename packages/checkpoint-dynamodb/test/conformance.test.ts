// The shared Checkpointer conformance suite from @kcl/core/testing, against dynalite.
import { KinesisClientLibConfig } from '@kcl/core';
import { runCheckpointerConformance } from '@kcl/core/testing';
import { LOCAL_CREDENTIALS, randomName, useDynalite } from '@kcl/testbed';
import { DynamoCheckpoint } from '../src';
import { recordingLogger } from './helpers';

const dynalite = useDynalite();

runCheckpointerConformance({
  name: 'DynamoCheckpoint (dynalite)',
  // dynalite updates a GSI in the same write as the item, so the owner index never lags here.
  ownedLeasesLagMillis: 0,
  newTableName: () => randomName('conformance'),
  create: async ({ tableName, workerId, failoverTimeMillis }) => {
    const config = new KinesisClientLibConfig(tableName, 'conformance-stream', 'us-east-1', workerId)
      .withDynamoDBEndpoint(dynalite.endpoint())
      .withDynamoDBCredentials(LOCAL_CREDENTIALS)
      .withFailoverTimeMillis(failoverTimeMillis)
      .withLogger(recordingLogger());
    return new DynamoCheckpoint(config);
  },
});

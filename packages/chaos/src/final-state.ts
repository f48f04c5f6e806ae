/** The stream's shards and the lease table at the end of a run, read directly (not through the fault proxies). */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisClientLibConfig, createWinstonLogger } from '@kcl/core';
import { createStoreClient } from './lease-store-client';
import type { FinalLease, FinalShard } from './log-lines';
import { listShards, toFinalShards } from './resharding';
import type { StoreSpec } from './worker-settings';

export async function readFinalState(
  kinesis: KinesisClient,
  streamName: string,
  applicationName: string,
  store: StoreSpec,
): Promise<{ shards: FinalShard[]; leases: FinalLease[] }> {
  const shards = toFinalShards(await listShards(kinesis, streamName));
  const config = new KinesisClientLibConfig(applicationName, streamName, 'us-east-1', 'chaos-lease-reader').withLogger(
    createWinstonLogger({ level: 'silent' }),
  );
  const client = createStoreClient(store, config, 5_000);
  try {
    await client.checkpointer.init();
    const rows = await client.checkpointer.listLeases();
    const leases = rows.map((row) => ({
      shard: row.id,
      checkpoint: row.checkpoint,
      sub: row.subSequenceNumber,
      owner: row.assignedTo,
      parents: [...row.parentShardIds],
    }));
    return { shards, leases };
  } finally {
    await client.close().catch(() => undefined);
  }
}

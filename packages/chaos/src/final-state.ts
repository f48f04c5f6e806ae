/** The stream's shards and the lease table, read directly (not through the fault proxies). */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createWinstonLogger, KinesisClientLibConfig } from '@kcl/core';
import { listAllShards } from '@kcl/testbed';
import { createStoreClient, type StoreClient } from '@kcl/integration-tests';
import type { FinalLease, FinalShard } from './log-lines';
import { toFinalShards } from './resharding';
import type { StoreSpec } from './worker-settings';

/** Reads the lease table with a client of its own (worker id `chaos-lease-reader`, which never takes a lease). */
export class LeaseTableReader {
  private readonly client: StoreClient;
  private initialized = false;

  constructor(applicationName: string, streamName: string, store: StoreSpec) {
    const config = new KinesisClientLibConfig(applicationName, streamName, 'us-east-1', 'chaos-lease-reader').withLogger(
      createWinstonLogger({ level: 'silent' }),
    );
    this.client = createStoreClient(store, config, { timeoutMillis: 5_000, dynamoMaxAttempts: 2 });
  }

  async leases(): Promise<FinalLease[]> {
    if (!this.initialized) {
      await this.client.checkpointer.init();
      this.initialized = true;
    }
    const rows = await this.client.checkpointer.listLeases();
    return rows.map((row) => ({
      shard: row.id,
      checkpoint: row.checkpoint,
      sub: row.subSequenceNumber,
      owner: row.assignedTo,
      parents: [...row.parentShardIds],
    }));
  }

  close(): Promise<void> {
    return this.client.close().catch(() => undefined);
  }
}

/** Shards of the stream (closed ones included). */
export async function readShards(kinesis: KinesisClient, streamName: string): Promise<FinalShard[]> {
  return toFinalShards(await listAllShards(kinesis, streamName));
}

// Two tenants run the same application ("orders") on one shared Redis. Each tenant's leases and checkpoints live
// under its own key prefix (acme:orders:..., globex:orders:...), so the tenants never see each other's leases: each
// reads the whole stream at its own pace, and one stopping or failing over does not move the other's shards.
// Run: pnpm --filter @kcl/example-redis-multitenant start   (see README.md for AWS)
import { RedisCheckpoint } from '@kcl/checkpoint-redis';
import {
  createWinstonLogger,
  InitialPositionInStream,
  KinesisClientLibConfig,
  ShutdownReason,
  Worker,
  type InitializationInput,
  type ProcessRecordsInput,
  type RecordProcessor,
  type ShutdownInput,
} from '@kcl/core';
import { exampleEnvironment, type ConsumptionTally, type ExampleEnvironment } from '@kcl/example-support';

const TENANTS = ['acme', 'globex'] as const;

/** Counts each tenant's records and checkpoints after every batch. */
class TenantProcessor implements RecordProcessor {
  private shardId = '';

  constructor(
    private readonly tenant: string,
    private readonly tally: ConsumptionTally,
  ) {}

  initialize({ shardId }: InitializationInput): void {
    this.shardId = shardId;
  }

  async processRecords({ records, checkpointer }: ProcessRecordsInput): Promise<void> {
    if (records.length === 0) return;
    console.log(`[${this.tenant}] ${this.shardId}: ${records.length} records`);
    this.tally.add(records);
    await checkpointer.checkpoint();
  }

  async shutdown({ shutdownReason, checkpointer }: ShutdownInput): Promise<void> {
    if (shutdownReason !== ShutdownReason.ZOMBIE) await checkpointer.checkpoint();
  }
}

/** One tenant's worker: the same application name, its own key prefix in the shared Redis. */
function tenantWorker(env: ExampleEnvironment, tenant: string): { worker: Worker; checkpointer: RedisCheckpoint } {
  const config = env.applyTo(
    new KinesisClientLibConfig('orders', env.streamName, env.region, `${tenant}-worker-${process.pid}`)
      .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
      .withLogger(createWinstonLogger({ level: 'warn' })),
  );
  const checkpointer = new RedisCheckpoint(config, { address: env.redisUrl, keyPrefix: tenant });
  const tally = env.tally(tenant);
  const worker = new Worker({ createProcessor: () => new TenantProcessor(tenant, tally) }, config).withCheckpointer(checkpointer);
  worker.on('leaseAcquired', ({ shardId }) => console.log(`[${tenant}] lease acquired: ${shardId} (key ${checkpointer.keys.shard(shardId)})`));
  return { worker, checkpointer };
}

async function consume(env: ExampleEnvironment): Promise<void> {
  const tenants = TENANTS.map((tenant) => tenantWorker(env, tenant));

  // Run until Ctrl-C or SIGTERM (on the local test bed: until both tenants consumed every sample record).
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  try {
    await Promise.all(tenants.map(({ worker }) => worker.start()));
    console.log(`tenants ${TENANTS.join(' and ')} are consuming ${env.streamName} from one Redis`);
    console.log(`stopping: ${await Promise.race([signalled, env.sampleConsumed()])}`);
  } finally {
    // Each worker closes its own tenant's checkpointer at the end of its shutdown.
    await Promise.all(tenants.map(({ worker }) => worker.shutdown()));
  }
}

async function main(): Promise<void> {
  const env = await exampleEnvironment({ store: 'redis' });
  try {
    await consume(env);
  } finally {
    await env.close(); // prints what each tenant consumed; stops the local stand-ins this run started
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

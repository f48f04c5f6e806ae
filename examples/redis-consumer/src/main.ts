// Consumes a Kinesis stream with @kcl and keeps leases and checkpoints in Redis (@kcl/checkpoint-redis).
// Run: pnpm --filter @kcl/example-redis-consumer start   (see README.md for AWS)
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

/** One per shard lease: prints each batch and checkpoints after it, so a restart resumes after the last batch. */
class OrderPrinter implements RecordProcessor {
  private shardId = '';

  constructor(private readonly tally: ConsumptionTally) {}

  initialize({ shardId, extendedSequenceNumber }: InitializationInput): void {
    this.shardId = shardId;
    console.log(`${shardId}: processor started at ${extendedSequenceNumber?.sequenceNumber ?? 'the initial position'}`);
  }

  async processRecords({ records, checkpointer }: ProcessRecordsInput): Promise<void> {
    if (records.length === 0) return;
    const last = records[records.length - 1]!;
    const order = JSON.parse(Buffer.from(last.data).toString('utf8')) as { orderId: number; cents: number };
    console.log(`${this.shardId}: ${records.length} records, last: order ${order.orderId} (${(order.cents / 100).toFixed(2)} EUR)`);
    this.tally.add(records);
    await checkpointer.checkpoint(last.sequenceNumber); // the same as checkpoint(): the last record delivered
  }

  async shutdown({ shutdownReason, checkpointer }: ShutdownInput): Promise<void> {
    console.log(`${this.shardId}: processor shutdown (${ShutdownReason[shutdownReason]})`);
    // ZOMBIE means the lease is lost: another worker owns the shard, a checkpoint would be refused.
    if (shutdownReason !== ShutdownReason.ZOMBIE) await checkpointer.checkpoint();
  }
}

async function consume(env: ExampleEnvironment): Promise<void> {
  const tally = env.tally('redis-consumer');
  const config = env.applyTo(
    new KinesisClientLibConfig('redis-consumer-example', env.streamName, env.region)
      .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
      .withLogger(createWinstonLogger({ level: 'warn' })),
  );

  // address: host:port, redis://[:password@]host:port[/db] or rediss:// (TLS). Keys: <keyPrefix>:<tableName>:...
  const checkpointer = new RedisCheckpoint(config, { address: env.redisUrl, keyPrefix: 'kcl' });
  const worker = new Worker({ createProcessor: () => new OrderPrinter(tally) }, config).withCheckpointer(checkpointer);
  worker.on('leaseAcquired', ({ shardId }) => console.log(`lease acquired: ${shardId}`));
  worker.on('leaseLost', ({ shardId, reason }) => console.log(`lease lost: ${shardId} (${reason})`));
  worker.on('error', ({ operation, error }) => console.warn(`worker recovered from an error in ${operation}: ${String(error)}`));

  // Run until Ctrl-C or SIGTERM (on the local test bed: until every sample record was consumed).
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  try {
    await worker.start();
    console.log(`worker ${worker.workerId} is consuming ${env.streamName}; leases in Redis under ${checkpointer.keys.base}:*`);
    console.log(`stopping: ${await Promise.race([signalled, env.sampleConsumed()])}`);
  } finally {
    // Last checkpoint (REQUESTED), leases released, then the worker closes the checkpointer's Redis connection
    // (withCheckpointer's closeOnShutdown defaults to true): nothing is left open.
    await worker.shutdown();
  }
}

async function main(): Promise<void> {
  const env = await exampleEnvironment({ store: 'redis' });
  try {
    await consume(env);
  } finally {
    await env.close(); // prints what was consumed; stops the local stand-ins this run started
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

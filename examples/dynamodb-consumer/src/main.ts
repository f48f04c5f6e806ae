// Consumes a Kinesis stream with @kcl and the default lease store: DynamoDB (@kcl/checkpoint-dynamodb).
// Run: pnpm --filter @kcl/example-dynamodb-consumer start   (see README.md for AWS)
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

  async processRecords({ records, millisBehindLatest, checkpointer }: ProcessRecordsInput): Promise<void> {
    if (records.length === 0) return;
    const first = JSON.parse(Buffer.from(records[0]!.data).toString('utf8')) as { orderId: number; item: string };
    console.log(`${this.shardId}: ${records.length} records (first: order ${first.orderId}, ${first.item}), ${millisBehindLatest} ms behind`);
    this.tally.add(records);
    await checkpointer.checkpoint(); // at the last record of this batch
  }

  async shutdown({ shutdownReason, checkpointer }: ShutdownInput): Promise<void> {
    console.log(`${this.shardId}: processor shutdown (${ShutdownReason[shutdownReason]})`);
    // REQUESTED: a last checkpoint before the lease is released. TERMINATE: checkpoint() marks the shard SHARD_END.
    // ZOMBIE: the lease is lost and another worker owns the shard, so there is nothing left to checkpoint.
    if (shutdownReason !== ShutdownReason.ZOMBIE) await checkpointer.checkpoint();
  }
}

async function consume(env: ExampleEnvironment): Promise<void> {
  const tally = env.tally('dynamodb-consumer');
  const config = env.applyTo(
    new KinesisClientLibConfig('dynamodb-consumer-example', env.streamName, env.region)
      .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
      .withLogger(createWinstonLogger({ level: 'warn' })),
  );

  // No withCheckpointer(): the worker loads the default lease store, DynamoDB, which creates the lease table
  // (config.tableName) when it is missing.
  const worker = new Worker({ createProcessor: () => new OrderPrinter(tally) }, config);
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
    console.log(`worker ${worker.workerId} is consuming ${env.streamName}; leases in DynamoDB table ${config.tableName}`);
    console.log(`stopping: ${await Promise.race([signalled, env.sampleConsumed()])}`);
  } finally {
    await worker.shutdown(); // processors get shutdown(REQUESTED) and checkpoint; leases are released at once
  }
}

async function main(): Promise<void> {
  const env = await exampleEnvironment({ store: 'dynamodb' });
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

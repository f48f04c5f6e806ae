// The worker's metrics in Amazon CloudWatch with the Java KCL's names and dimensions: buffered and sent with
// PutMetricData (on the local test bed to a CloudWatch stand-in), or, with KCL_METRICS_OUTPUT=emf, written as
// Embedded Metric Format lines on stdout for Lambda / ECS / the CloudWatch agent.
// Run: pnpm --filter @kcl/example-cloudwatch-metrics start
import {
  createWinstonLogger,
  InitialPositionInStream,
  KinesisClientLibConfig,
  ShutdownReason,
  Worker,
  type ProcessRecordsInput,
  type RecordProcessor,
  type ShutdownInput,
} from '@kcl/core';
import { exampleEnvironment, localCloudWatch, type ConsumptionTally } from '@kcl/example-support';
import { CloudWatchMonitoringService } from '@kcl/metrics-cloudwatch';

/** Checkpoints after every batch; the worker reports records, bytes, lag and durations to CloudWatch. */
class CheckpointingProcessor implements RecordProcessor {
  constructor(private readonly tally: ConsumptionTally) {}

  initialize(): void {}

  async processRecords({ records, checkpointer }: ProcessRecordsInput): Promise<void> {
    if (records.length === 0) return;
    this.tally.add(records);
    await checkpointer.checkpoint();
  }

  async shutdown({ shutdownReason, checkpointer }: ShutdownInput): Promise<void> {
    if (shutdownReason !== ShutdownReason.ZOMBIE) await checkpointer.checkpoint();
  }
}

async function main(): Promise<void> {
  const env = await exampleEnvironment({ store: 'dynamodb' });
  const cloudWatch = await localCloudWatch(env); // undefined on AWS: the region's CloudWatch
  try {
    const logger = createWinstonLogger({ level: 'warn' });
    const metrics = new CloudWatchMonitoringService({
      output: process.env.KCL_METRICS_OUTPUT === 'emf' ? 'emf' : 'putMetricData',
      flushIntervalMillis: 2_000, // the default is 10 s
      workerIdentifier: process.env.HOSTNAME ?? 'example-worker', // stable across restarts
      logger,
      ...(cloudWatch ? { clientConfig: cloudWatch.clientConfig } : { region: env.region }),
    });
    const tally = env.tally('cloudwatch-metrics');
    const config = env.applyTo(
      new KinesisClientLibConfig('cloudwatch-metrics-example', env.streamName, env.region)
        .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
        .withMonitoringService(metrics)
        .withLogger(logger),
    );
    const worker = new Worker({ createProcessor: () => new CheckpointingProcessor(tally) }, config);
    const signalled = new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    try {
      await worker.start();
      console.log(`worker ${worker.workerId} is consuming ${env.streamName}`);
      console.log(`stopping: ${await Promise.race([signalled, env.sampleConsumed()])}`);
    } finally {
      await worker.shutdown(); // flushes the last metrics
    }
    if (cloudWatch) console.log(cloudWatch.describe());
  } finally {
    await cloudWatch?.stop();
    await env.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

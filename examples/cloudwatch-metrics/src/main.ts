// The worker's metrics in Amazon CloudWatch with the Java KCL's names and dimensions: buffered and sent with
// PutMetricData (on the local test bed to a CloudWatch stand-in), or, with KCL_METRICS_OUTPUT=emf, written as
// Embedded Metric Format lines on stdout for Lambda / ECS / the CloudWatch agent.
// Run: pnpm --filter @kcl/example-cloudwatch-metrics start
import { createWinstonLogger, InitialPositionInStream, KinesisClientLibConfig, Worker } from '@kcl/core';
import { checkpointingProcessors, exampleEnvironment, localCloudWatch, runUntilStopped } from '@kcl/example-support';
import { CloudWatchMonitoringService } from '@kcl/metrics-cloudwatch';

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
    // A processor that counts and checkpoints each batch; runs until Ctrl-C (or until the sample was consumed).
    await runUntilStopped(new Worker(checkpointingProcessors(tally), config), env, tally); // shutdown flushes the metrics
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

// The worker's metrics as OpenTelemetry instruments: OpenTelemetryMonitoringService creates counters, histograms and
// observable gauges from the application's Meter; the application's MeterProvider decides where they go (here a
// small exporter printing one line per export; OTLP or the Prometheus exporter in a real deployment).
// Run: pnpm --filter @kcl/example-opentelemetry-metrics start
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
import { exampleEnvironment, type ConsumptionTally } from '@kcl/example-support';
import { OpenTelemetryMonitoringService } from '@kcl/metrics-opentelemetry';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { LineMetricExporter } from './line-exporter';

/** Checkpoints after every batch; the worker records records, bytes, lag and durations with the Meter. */
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
  // The application's MeterProvider: export every 2 s (and once more on provider.shutdown()).
  const provider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: new LineMetricExporter(), exportIntervalMillis: 2_000 })],
  });
  const env = await exampleEnvironment({ store: 'dynamodb' });
  try {
    const tally = env.tally('opentelemetry-metrics');
    const metrics = new OpenTelemetryMonitoringService({
      meter: provider.getMeter('opentelemetry-metrics-example'),
      attributes: { region: env.region },
    });
    const config = env.applyTo(
      new KinesisClientLibConfig('opentelemetry-metrics-example', env.streamName, env.region)
        .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
        .withMonitoringService(metrics)
        .withLogger(createWinstonLogger({ level: 'warn' })),
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
      await provider.forceFlush(); // one export while the worker still holds its leases (the gauges are observed)
    } finally {
      await worker.shutdown();
    }
  } finally {
    await provider.shutdown(); // the last export
    await env.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

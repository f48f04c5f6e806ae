// The worker's metrics as OpenTelemetry instruments: OpenTelemetryMonitoringService creates counters, histograms and
// observable gauges from the application's Meter; the application's MeterProvider decides where they go (here a
// small exporter printing one line per export; OTLP or the Prometheus exporter in a real deployment).
// Run: pnpm --filter @kcl/example-opentelemetry-metrics start
import { createWinstonLogger, InitialPositionInStream, KinesisClientLibConfig, Worker } from '@kcl/core';
import { checkpointingProcessors, exampleEnvironment, runUntilStopped } from '@kcl/example-support';
import { OpenTelemetryMonitoringService } from '@kcl/metrics-opentelemetry';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { LineMetricExporter } from './line-exporter';

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
    // A processor that counts and checkpoints each batch; runs until Ctrl-C (or until the sample was consumed).
    await runUntilStopped(new Worker(checkpointingProcessors(tally), config), env, tally, {
      beforeShutdown: () => provider.forceFlush(), // one export while the worker still holds its leases
    });
  } finally {
    await provider.shutdown(); // the last export
    await env.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

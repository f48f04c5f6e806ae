// The worker's metrics go into the application's own prom-client registry (next to the application's metrics) and
// the application serves them from its own HTTP server: PrometheusMonitoringService in external-registry mode.
// Run: pnpm --filter @kcl/example-prometheus-metrics start -- --forever   then open http://127.0.0.1:9464/metrics
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWinstonLogger, InitialPositionInStream, KinesisClientLibConfig, Worker } from '@kcl/core';
import { checkpointingProcessors, exampleEnvironment, runUntilStopped, type ExampleEnvironment } from '@kcl/example-support';
import { PrometheusMonitoringService } from '@kcl/metrics-prometheus';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** Where /metrics is served. The compose file sets LISTEN_HOST=0.0.0.0 inside its container. */
const LISTEN_HOST = process.env.LISTEN_HOST ?? '127.0.0.1';
const PORT = Number(process.env.PORT ?? 9464);

/** The application's own HTTP server: GET /metrics returns every metric of the registry. */
async function serveMetrics(registry: Registry): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(PORT, LISTEN_HOST, () => resolve());
  });
  return server;
}

async function consume(env: ExampleEnvironment, registry: Registry): Promise<void> {
  const tally = env.tally('prometheus-metrics');
  const config = env.applyTo(
    new KinesisClientLibConfig('prometheus-metrics-example', env.streamName, env.region)
      .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
      .withMonitoringService(new PrometheusMonitoringService({ registry, region: env.region })) // no server of its own
      .withLogger(createWinstonLogger({ level: 'warn' })),
  );
  // A processor that counts and checkpoints each batch; runs until Ctrl-C (or until the sample was consumed).
  await runUntilStopped(new Worker(checkpointingProcessors(tally), config), env, tally, { progressEveryMillis: 5_000 });
}

async function main(): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry }); // the application's own metrics share the registry
  const server = await serveMetrics(registry);
  const { port } = server.address() as AddressInfo;
  console.log(`serving metrics at http://${LISTEN_HOST}:${port}/metrics`);
  try {
    const env = await exampleEnvironment({ store: 'dynamodb' });
    try {
      await consume(env, registry);
    } finally {
      await env.close();
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

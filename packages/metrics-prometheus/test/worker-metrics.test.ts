import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { InitialPositionInStream, KinesisClientLibConfig, Worker, type ProcessRecordsInput } from '@kcl/core';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '@kcl/core/testing';
import { createTestStream, localKinesisClient, startKinesalite, useServer, waitFor } from '@kcl/testbed';
import { METRIC_NAMES, PrometheusMonitoringService } from '../src';

function total(body: string, name: string, worker: string): number {
  return body
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(`worker="${worker}"`))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

const WAIT_MILLIS = 20_000;
const POLL_MILLIS = 100;

// A real worker consuming a real (local) stream, metrics scraped over HTTP from the standalone server.
describe('PrometheusMonitoringService with a running Worker', () => {
  const kinesalite = useServer(startKinesalite);

  it('exposes moving record, byte, lease and timing metrics while the worker consumes, and stops with the worker', async () => {
    const client = localKinesisClient(kinesalite().endpoint);
    const stream = await createTestStream(client, { shardCount: 2 });
    const put = async (from: number, count: number) => {
      const Records = Array.from({ length: count }, (_, i) => ({ Data: Buffer.from(`record-${from + i}`), PartitionKey: `k${from + i}` }));
      await client.send(new PutRecordsCommand({ StreamName: stream, Records }));
    };
    await put(0, 40);

    const metrics = new PrometheusMonitoringService({ listenAddress: '127.0.0.1:0' });
    const config = new KinesisClientLibConfig('metrics-app', stream, 'us-east-1', 'metrics-worker')
      .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
      .withKinesisEndpoint(kinesalite().endpoint)
      .withCredentials({ accessKeyId: 'local', secretAccessKey: 'local' })
      .withFailoverTimeMillis(2_000)
      .withLeaseRefreshPeriodMillis(200)
      .withIdleTimeBetweenReadsInMillis(50)
      .withMonitoringService(metrics);
    const table = new InMemoryLeaseTable();
    const worker = new Worker(
      {
        createProcessor: () => ({
          initialize() {},
          async processRecords(input: ProcessRecordsInput) {
            if (input.records.length) await input.checkpointer.checkpoint();
          },
          shutdown() {},
        }),
      },
      config,
    )
      .withKinesis(localKinesisClient(kinesalite().endpoint))
      .withCheckpointer(new InMemoryCheckpointer(table, { workerId: 'metrics-worker', failoverTimeMillis: 2_000 }));

    await worker.start();
    try {
      const port = metrics.address()!.port;
      const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      /** Scrapes until `holds` is true of the body; returns that body. */
      const scrapeUntil = async (what: string, holds: (body: string) => boolean): Promise<string> => {
        let body = '';
        await waitFor(async () => holds((body = await scrape())), what, WAIT_MILLIS, POLL_MILLIS);
        return body;
      };
      const healthzAnswers = (status: number, what: string) =>
        waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === status, what, WAIT_MILLIS, POLL_MILLIS);

      const first = await scrapeUntil('40 records in the metrics', (body) => total(body, METRIC_NAMES.recordsProcessed, 'metrics-worker') >= 40);
      expect(total(first, METRIC_NAMES.bytesProcessed, 'metrics-worker')).toBeGreaterThanOrEqual(40 * 'record-0'.length);
      expect(total(first, METRIC_NAMES.leasesHeld, 'metrics-worker')).toBe(2);
      expect(total(first, `${METRIC_NAMES.getRecordsDuration}_count`, 'metrics-worker')).toBeGreaterThan(0);
      expect(total(first, `${METRIC_NAMES.processRecordsDuration}_count`, 'metrics-worker')).toBeGreaterThan(0);
      expect(first).toMatch(new RegExp(`${METRIC_NAMES.millisBehindLatest}\\{[^}]*stream="${stream}"`));

      await put(40, 25);
      const later = await scrapeUntil(
        'the record counter to move to 65',
        (body) => total(body, METRIC_NAMES.recordsProcessed, 'metrics-worker') >= 65,
      );
      expect(total(later, METRIC_NAMES.recordsProcessed, 'metrics-worker')).toBe(65);
      await scrapeUntil('a lease renewal', (body) => total(body, METRIC_NAMES.leaseRenewals, 'metrics-worker') > 0);
      // The worker reports lease-store health: the store answered, so /healthz is 200; checkpoints were timed.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(total(later, `${METRIC_NAMES.checkpointDuration}_count`, 'metrics-worker')).toBeGreaterThan(0);
      table.unavailable = true;
      await healthzAnswers(503, '/healthz to answer 503 while the store is down');
      expect(total(await scrape(), METRIC_NAMES.leaseStoreErrors, 'metrics-worker')).toBeGreaterThan(0);
      table.unavailable = false;
      await healthzAnswers(200, '/healthz to answer 200 again');
    } finally {
      await worker.shutdown();
    }
    expect(metrics.address()).toBeUndefined();
  });
});

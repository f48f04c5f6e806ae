import { join } from 'node:path';
import { runExample, startExample } from '@kcl/example-support/testing';
import { startDynalite, startKinesisLocal, type LocalServer } from '@kcl/testbed';

const dir = join(__dirname, '..');

/** Sum of every sample of `metric` in a Prometheus text exposition. */
function total(exposition: string, metric: string): number {
  const pattern = new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
  return [...exposition.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

async function scrapeUntil(url: string, timeoutMs: number, done: (exposition: string) => boolean): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exposition = await scrape(url);
    if (done(exposition)) return exposition;
    if (Date.now() > deadline) throw new Error(`metrics did not get there within ${timeoutMs} ms:\n${exposition}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('prometheus-metrics example', () => {
  it('serves the worker metrics and its own from one registry on its own server, while they move', async () => {
    const run = startExample({ dir, args: ['--records', '50', '--forever', '--rate', '20'], env: { PORT: '0' } });
    try {
      const url = (await run.waitForOutput(/^serving metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m))[1] as string;

      const first = await scrapeUntil(url, 20_000, (text) => total(text, 'kcl_processed_records_total') >= 50);
      expect(first).toMatch(/^kcl_processed_records_total\{[^}]*application="prometheus-metrics-example"[^}]*shard="shardId-000000000000"/m);
      expect(total(first, 'kcl_leases_held')).toBe(2);
      expect(first).toMatch(/^process_cpu_user_seconds_total /m); // the application's own metrics, same registry
      const before = total(first, 'kcl_processed_records_total');
      const later = await scrapeUntil(url, 10_000, (text) => total(text, 'kcl_processed_records_total') > before);
      expect(total(later, 'kcl_lease_renewals_total')).toBeGreaterThanOrEqual(total(first, 'kcl_lease_renewals_total'));
      expect((await fetch(url.replace('/metrics', '/other'))).status).toBe(404);

      run.child.kill('SIGTERM');
      const result = await run.exited;
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('stopping: SIGTERM');
      expect(result.stdout).toMatch(/^\[prometheus-metrics\] consumed \d+ records/m);
      expect(result.stderr).not.toContain('"level":"error"');
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  describe('against kinesis-mock, the Kinesis emulator of docker/compose.yaml', () => {
    let kinesis: LocalServer;
    let dynamo: LocalServer;
    beforeAll(async () => {
      [kinesis, dynamo] = await Promise.all([startKinesisLocal(), startDynalite()]);
    });
    afterAll(async () => {
      await Promise.all([kinesis?.stop(), dynamo?.stop()]);
    });

    it('creates its stream there, consumes the sample and exits 0', async () => {
      const result = await runExample({
        dir,
        args: ['--records', '30'],
        env: { PORT: '0', KCL_KINESIS_ENDPOINT: kinesis.endpoint, KCL_DYNAMODB_ENDPOINT: dynamo.endpoint },
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`kinesis ${kinesis.endpoint} (given)`);
      expect(result.stdout).toContain('[prometheus-metrics] consumed 30 of 30 sample records');
    });
  });
});

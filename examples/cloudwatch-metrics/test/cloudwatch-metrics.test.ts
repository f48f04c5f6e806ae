import { join } from 'node:path';
import { runExample, startExample } from '@kcl/example-support/testing';

const dir = join(__dirname, '..');

interface EmfDocument {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> };
  [key: string]: unknown;
}

describe('cloudwatch-metrics example', () => {
  it('sends the Java KCL metrics with PutMetricData to the local CloudWatch stand-in and exits 0', async () => {
    const result = await runExample({ dir, args: ['--records', '50'] });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^cloudwatch http:\/\/127\.0\.0\.1:\d+ \(local stand-in\)$/m);
    expect(result.stdout).toMatch(
      /^cloudwatch stand-in received \d+ PutMetricData requests \(\d+ data, namespace cloudwatch-metrics-example\): RecordsProcessed=50 /m,
    );
    expect(result.stdout).toContain('[cloudwatch-metrics] consumed 50 of 50 sample records');
    expect(result.stderr).not.toContain('"level":"error"');
  });

  it('flushes periodically while it runs, then once more on shutdown', async () => {
    const run = startExample({ dir, args: ['--records', '20', '--forever', '--rate', '20'] });
    try {
      await run.waitForOutput(/^worker \S+ is consuming/m);
      await new Promise((resolve) => setTimeout(resolve, 5_000)); // a 2 s flush interval: at least two flushes
      run.child.kill('SIGTERM');
      const result = await run.exited;
      expect(result.code).toBe(0);
      const requests = Number(/cloudwatch stand-in received (\d+) PutMetricData requests/.exec(result.stdout)?.[1]);
      expect(requests).toBeGreaterThanOrEqual(2);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('writes Embedded Metric Format lines to stdout instead with KCL_METRICS_OUTPUT=emf', async () => {
    const result = await runExample({ dir, args: ['--records', '30'], env: { KCL_METRICS_OUTPUT: 'emf' } });
    expect(result.code).toBe(0);
    const documents = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as EmfDocument);
    const processTask = documents.filter((d) => d.Operation === 'ProcessTask' && d.RecordsProcessed !== undefined);
    expect(processTask.length).toBeGreaterThan(0);
    expect(processTask[0]!._aws.CloudWatchMetrics[0]!.Namespace).toBe('cloudwatch-metrics-example');
    expect(processTask[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['Operation', 'ShardId', 'WorkerIdentifier']]);
    const records = processTask.flatMap((d) =>
      Array.isArray(d.RecordsProcessed) ? (d.RecordsProcessed as number[]) : [d.RecordsProcessed as number],
    );
    expect(records.reduce((a, b) => a + b, 0)).toBe(30);
    expect(result.stdout).toMatch(/cloudwatch stand-in received 0 PutMetricData requests/);
  });
});

import { join } from 'node:path';
import { runExample } from '@kcl/example-support/testing';

const dir = join(__dirname, '..');

/** Values of the last `otel export:` line, by instrument name. */
function lastExport(stdout: string): Map<string, number> {
  const lines = stdout.split('\n').filter((line) => line.startsWith('otel export: '));
  const last = lines.at(-1) ?? '';
  return new Map(
    last
      .slice('otel export: '.length)
      .split(' ')
      .filter(Boolean)
      .map((pair) => {
        const [name, value] = pair.split('=');
        return [name!, Number(value)];
      }),
  );
}

describe('opentelemetry-metrics example', () => {
  it("records the worker's metrics with the application's MeterProvider and exits 0", async () => {
    const result = await runExample({ dir, args: ['--records', '40'] });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[opentelemetry-metrics] consumed 40 of 40 sample records');
    const values = lastExport(result.stdout);
    expect(values.get('kcl.records.processed')).toBe(40);
    expect(values.get('kcl.bytes.processed')).toBeGreaterThan(40);
    expect(values.get('kcl.process_records.duration')).toBeGreaterThan(0);
    expect(values.get('kcl.checkpoint.duration')).toBeGreaterThan(0);
    expect(values.get('kcl.lease_store.call.duration')).toBeGreaterThan(0);
    expect(values.get('kcl.leases.held')).toBe(2);
    expect(values.get('kcl.lease_store.healthy')).toBe(1);
    expect(result.stderr).not.toContain('"level":"error"');
  });
});

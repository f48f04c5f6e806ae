import { parseTransportArgs, UsageError } from '../src/transport-args';
import { runTransportBench } from '../src/transport-bench';
import { formatTransportReport, transportReportJson } from '../src/transport-report';
import { TRANSPORT_VARIANTS } from '../src/transport-clients';

// A small run of the real benchmark (TLS server and every client in child processes), so the script cannot rot, and
// a check of what it is for: the SDK's Kinesis default opens a TLS connection per call, keep-alive does not, and the
// worker's default client (createKinesisClient) reuses its connections too.
describe('runTransportBench (small configuration)', () => {
  it('counts new TLS connections per client and reports CPU per call against keep-alive', async () => {
    const lines: string[] = [];
    const options = parseTransportArgs(['--calls', '20', '--warmup', '5', '--runs', '1', '--concurrency', '1,4', '--records', '10']);
    if (options === 'help') throw new Error('unexpected help');
    const result = await runTransportBench(options, (line) => lines.push(line));
    expect(result.rows).toHaveLength(2 * TRANSPORT_VARIANTS.length);
    for (const concurrency of [1, 4]) {
      const row = (variant: string) => result.rows.find((r) => r.concurrency === concurrency && r.variant === variant)!;
      expect(row('sdk-default').newConnections).toBe(20); // one TLS session per call
      expect(row('keep-alive').newConnections).toBe(0); // warmed up: no new connection
      expect(row('keep-alive').cpuRatioToKeepAlive).toBe(1);
      expect(row('worker-default').connectionsPer1000Calls).toBeLessThanOrEqual(concurrency);
      for (const variant of TRANSPORT_VARIANTS) {
        expect(row(variant).calls).toBe(20);
        expect(row(variant).cpuMicrosPerCall).toBeGreaterThan(0);
      }
    }
    expect(result.targets.map((t) => t.concurrency)).toEqual([1, 4]);
    expect(result.targets.every((t) => t.connectionsMet)).toBe(true);
    expect(lines.some((line) => line.startsWith('concurrency 4 run 1/1 worker-default'))).toBe(true);

    const text = formatTransportReport(result);
    expect(text).toMatch(/worker-default, concurrency 1: \d+\.\d new connections per 1,000 calls \(target <= 1: met\)/);
    expect(text).toMatch(/CPU \d+\.\d\d x keep-alive \(target <= 1\.2: (met|NOT met)\)/);
    const json = JSON.parse(transportReportJson(result)) as { rows: unknown[] };
    expect(json.rows).toHaveLength(8);
  });
});

describe('parseTransportArgs', () => {
  it('has the documented defaults and reads every flag', () => {
    expect(parseTransportArgs([])).toMatchObject({
      calls: 1000,
      warmup: 200,
      runs: 3,
      concurrency: [1, 8],
      records: 100,
      recordBytes: 1024,
      json: false,
    });
    expect(parseTransportArgs(['--calls=50', '--concurrency', '2,16', '--record-bytes', '512', '--json'])).toMatchObject({
      calls: 50,
      concurrency: [2, 16],
      recordBytes: 512,
      json: true,
    });
    expect(parseTransportArgs(['--help'])).toBe('help');
  });

  it('rejects bad values with a UsageError naming the flag', () => {
    expect(() => parseTransportArgs(['--calls', '0'])).toThrow(UsageError);
    expect(() => parseTransportArgs(['--concurrency', '1,x'])).toThrow(/--concurrency/);
    expect(() => parseTransportArgs(['--nope'])).toThrow(/unknown option/);
  });
});

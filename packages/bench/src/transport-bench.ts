/**
 * `pnpm bench:transport`: what a Kinesis client pays per call over TLS. A local HTTP/2 + HTTP/1.1 TLS server
 * (127.0.0.1, throwaway CA from @kcl/testbed) answers GetRecords with 100 x 1 KB records in a child process; each
 * client variant runs in its own child process that trusts the CA through NODE_EXTRA_CA_CERTS, so every client is
 * measured exactly as built. Counts new TLS connections per 1,000 steady calls (the server's 'secureConnection') and
 * client CPU per call (process.cpuUsage around the steady calls, after a warm-up), with 1 and 8 concurrent callers.
 */
import { join } from 'node:path';
import { createTestCertificates, forkIpcChild, type IpcChild } from '@kcl/testbed';
import { median } from './stats';
import type { TransportBenchOptions } from './transport-args';
import type { ClientRunResult } from './transport-client-child';
import { BASELINE_VARIANT, TRANSPORT_VARIANTS, type TransportVariant } from './transport-clients';
import type { TransportServerStats } from './transport-server-child';

// The compiled child scripts, also when this module runs from src/ under ts-jest.
const DIST = join(__dirname, '..', 'dist');
const SERVER_SCRIPT = join(DIST, 'transport-server-child.js');
const CLIENT_SCRIPT = join(DIST, 'transport-client-child.js');

/** Targets for the worker's default client: connections per 1,000 calls <= concurrency, CPU <= 1.2 x keep-alive. */
export const TRANSPORT_CPU_TARGET_RATIO = 1.2;

export interface TransportRow {
  variant: TransportVariant;
  concurrency: number;
  /** Steady (measured) calls, over all runs. */
  calls: number;
  /** TLS connections the server accepted during the steady calls. */
  newConnections: number;
  connectionsPer1000Calls: number;
  /** Median over the runs of client CPU (user + system) per call, in microseconds. */
  cpuMicrosPerCall: number;
  /** cpuMicrosPerCall / the keep-alive baseline's (same concurrency). */
  cpuRatioToKeepAlive: number;
  callsPerSecond: number;
}

export interface TransportTarget {
  concurrency: number;
  connectionsPer1000Calls: number;
  connectionsMet: boolean;
  cpuRatioToKeepAlive: number;
  cpuMet: boolean;
}

export interface TransportBenchResult {
  options: TransportBenchOptions;
  rows: TransportRow[];
  /** The targets, checked on the worker's default client. */
  targets: TransportTarget[];
  targetMet: boolean;
}

interface Measured {
  calls: number;
  connections: number;
  cpuPerCall: number[];
  millis: number;
}

/** Runs the benchmark; `log` gets progress lines. */
export async function runTransportBench(
  options: TransportBenchOptions,
  log: (line: string) => void = () => undefined,
): Promise<TransportBenchResult> {
  const certificates = await createTestCertificates();
  let server: IpcChild | undefined;
  try {
    const started = await forkIpcChild('transport server', SERVER_SCRIPT, [
      certificates.keyPath,
      certificates.certPath,
      String(options.records),
      String(options.recordBytes),
    ]);
    server = started.child;
    const endpoint = `https://127.0.0.1:${String(started.ready['port'])}`;
    log(`TLS server (child process) on ${endpoint}, GetRecords answers ${options.records} x ${options.recordBytes} B records`);
    const rows: TransportRow[] = [];
    for (const concurrency of options.concurrency) {
      rows.push(...(await measureConcurrency(server, endpoint, certificates.caCertPath, concurrency, options, log)));
    }
    const targets = options.concurrency.map((concurrency): TransportTarget => {
      const row = rows.find((r) => r.concurrency === concurrency && r.variant === 'worker-default')!;
      return {
        concurrency,
        connectionsPer1000Calls: row.connectionsPer1000Calls,
        connectionsMet: row.connectionsPer1000Calls <= concurrency,
        cpuRatioToKeepAlive: row.cpuRatioToKeepAlive,
        cpuMet: row.cpuRatioToKeepAlive <= TRANSPORT_CPU_TARGET_RATIO,
      };
    });
    return { options, rows, targets, targetMet: targets.every((t) => t.connectionsMet && t.cpuMet) };
  } finally {
    await server?.stop();
    certificates.remove();
  }
}

async function measureConcurrency(
  server: IpcChild,
  endpoint: string,
  caCertPath: string,
  concurrency: number,
  options: TransportBenchOptions,
  log: (line: string) => void,
): Promise<TransportRow[]> {
  const clients = new Map<TransportVariant, IpcChild>();
  const measured = new Map<TransportVariant, Measured>();
  try {
    for (const variant of options.variants) {
      const env = { ...process.env, NODE_EXTRA_CA_CERTS: caCertPath, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
      const { child: client } = await forkIpcChild(`transport client (${variant})`, CLIENT_SCRIPT, [variant, endpoint], { env });
      clients.set(variant, client);
      if (options.warmup > 0) await client.ask<ClientRunResult>({ type: 'run', calls: options.warmup, concurrency }, 'done');
      measured.set(variant, { calls: 0, connections: 0, cpuPerCall: [], millis: 0 });
    }
    for (let run = 0; run < options.runs; run++) {
      // Rotate the order per run so no variant always runs first (or last) on a machine whose load drifts.
      const order = options.variants.map((_, i) => options.variants[(i + run) % options.variants.length]!);
      for (const variant of order) {
        const before = await server.ask<TransportServerStats>({ type: 'stats' }, 'stats');
        const result = await clients.get(variant)!.ask<ClientRunResult>({ type: 'run', calls: options.calls, concurrency }, 'done');
        const after = await server.ask<TransportServerStats>({ type: 'stats' }, 'stats');
        if (result.records !== options.calls * options.records) {
          throw new Error(`${variant}: received ${result.records} records, expected ${options.calls * options.records}`);
        }
        const m = measured.get(variant)!;
        m.calls += options.calls;
        m.connections += after.connections - before.connections;
        m.cpuPerCall.push(result.cpuMicros / options.calls);
        m.millis += result.millis;
        log(
          `concurrency ${concurrency} run ${run + 1}/${options.runs} ${variant}: ${after.connections - before.connections} new TLS connections, ` +
            `${Math.round(result.cpuMicros / options.calls)} us CPU per call`,
        );
      }
    }
  } finally {
    await Promise.all([...clients.values()].map((client) => client.stop()));
  }
  const baseline = measured.get(BASELINE_VARIANT);
  const baselineCpu = baseline ? median(baseline.cpuPerCall) : Number.NaN;
  return options.variants.map((variant): TransportRow => {
    const m = measured.get(variant)!;
    const cpu = median(m.cpuPerCall);
    return {
      variant,
      concurrency,
      calls: m.calls,
      newConnections: m.connections,
      connectionsPer1000Calls: (m.connections * 1000) / m.calls,
      cpuMicrosPerCall: cpu,
      cpuRatioToKeepAlive: cpu / baselineCpu,
      callsPerSecond: (m.calls * 1000) / m.millis,
    };
  });
}

export { TRANSPORT_VARIANTS };

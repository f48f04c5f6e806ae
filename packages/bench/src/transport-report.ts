import type { TransportBenchResult } from './transport-bench';
import { TRANSPORT_CPU_TARGET_RATIO } from './transport-bench';

const pad = (text: string, width: number): string => text.padStart(width);

/** The human-readable report of `pnpm bench:transport`. */
export function formatTransportReport(result: TransportBenchResult): string {
  const { options } = result;
  const lines = [
    `bench:transport - TLS server on 127.0.0.1 (child process, HTTP/2 + HTTP/1.1, throwaway CA), GetRecords answers ` +
      `${options.records} x ${options.recordBytes} B records (base64)`,
    `clients: each in its own child process trusting the CA via NODE_EXTRA_CA_CERTS; ${options.warmup} warm-up calls, then ` +
      `${options.runs} run(s) of ${options.calls} calls per concurrency`,
    'new conn/1000: TLS connections the server accepted per 1,000 steady calls; CPU/call: client user+system CPU ' +
      '(process.cpuUsage, median of the runs); ratio: CPU/call over the keep-alive baseline',
    '',
    `${'concurrency'.padEnd(12)}${'client'.padEnd(16)}${pad('new conn/1000', 14)}${pad('CPU/call', 11)}${pad('ratio', 8)}${pad('calls/s', 9)}`,
  ];
  for (const row of result.rows) {
    lines.push(
      `${String(row.concurrency).padEnd(12)}${row.variant.padEnd(16)}${pad(row.connectionsPer1000Calls.toFixed(1), 14)}` +
        `${pad(`${Math.round(row.cpuMicrosPerCall)} us`, 11)}${pad(row.cpuRatioToKeepAlive.toFixed(2), 8)}${pad(String(Math.round(row.callsPerSecond)), 9)}`,
    );
  }
  lines.push('');
  for (const t of result.targets) {
    lines.push(
      `worker-default, concurrency ${t.concurrency}: ${t.connectionsPer1000Calls.toFixed(1)} new connections per 1,000 calls ` +
        `(target <= ${t.concurrency}: ${t.connectionsMet ? 'met' : 'NOT met'}), CPU ${t.cpuRatioToKeepAlive.toFixed(2)} x keep-alive ` +
        `(target <= ${TRANSPORT_CPU_TARGET_RATIO.toFixed(1)}: ${t.cpuMet ? 'met' : 'NOT met'})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** One JSON line with every figure. */
export function transportReportJson(result: TransportBenchResult): string {
  return JSON.stringify(result);
}

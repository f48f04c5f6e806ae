/** Throughput and latency of a micro-benchmark run ({@link measureOps}). */
export interface OpsMeasurement {
  opsPerSec: number;
  /** Median latency (nearest rank), ms. */
  p50Ms: number;
  /** 99th percentile latency (nearest rank), ms. */
  p99Ms: number;
}

/**
 * Runs `op(lane, i)` `ops` times (i = 0 .. ops-1) over `lanes` concurrent lanes (each lane starts the next op when its
 * last one ended) and measures throughput and per-op latency. For the lease-store micro-benchmarks of the backends.
 */
export async function measureOps(ops: number, lanes: number, op: (lane: number, i: number) => Promise<unknown>): Promise<OpsMeasurement> {
  const latencies = new Float64Array(ops);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = next++; i < ops; i = next++) {
        const t0 = process.hrtime.bigint();
        await op(lane, i);
        latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const percentile = (p: number): number => sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  return { opsPerSec: ops / seconds, p50Ms: percentile(50), p99Ms: percentile(99) };
}

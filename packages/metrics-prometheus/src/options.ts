import type { Logger } from '@kcl/core';
import type { Registry } from 'prom-client';

/** Options of {@link PrometheusMonitoringService}. */
export interface PrometheusMonitoringOptions {
  /**
   * Standalone mode only: where the built-in HTTP server listens, as `host:port` or `:port` (all interfaces, as
   * go-kcl). Use port 0 for a free port (read it back with `address()`). Ignored in external mode.
   * @defaultValue `":8080"`
   */
  listenAddress?: string;
  /** AWS region, added as the `region` label to every metric when set. @defaultValue none (no region label) */
  region?: string;
  /** Logger for server start/stop and scrape errors. @defaultValue none (silent) */
  logger?: Logger;
  /**
   * External mode: register the collectors in this registry and start NO server; expose it yourself (e.g. with your
   * app's own `/metrics` route and `registry.metrics()`).
   * @defaultValue none (standalone mode with a private registry)
   */
  registry?: Registry;
  /** Alias of {@link registry} (go-kcl's `prometheus.Registerer`). Same effect; give one or the other. */
  registerer?: Registry;
  /**
   * Path served by the standalone server.
   * @defaultValue `"/metrics"`
   */
  path?: string;
  /**
   * Standalone mode only: path of the health endpoint served next to the metrics: 200 while the worker's lease store
   * is healthy (the last lease-store call reached it), 503 before the first successful call, after a store failure
   * (until the next success) and after shutdown. `false` turns the endpoint off. In external mode read
   * `isLeaseStoreHealthy()` from your own route.
   * @defaultValue `"/healthz"`
   */
  healthPath?: string | false;
  /**
   * Also collect prom-client's default Node.js process metrics (CPU, memory, event-loop lag, GC, handles) into the
   * same registry (the private one in standalone mode, the given one in external mode). Skipped when that registry
   * already holds them (e.g. a second worker sharing it, or your own `collectDefaultMetrics` call).
   * @defaultValue `false`
   */
  collectDefaultMetrics?: boolean;
  /**
   * Value of the `worker` label. Set it to a stable name (e.g. the host name or pod name) when the worker id is a
   * random UUID (a config without a workerId), so a restart does not start new time series.
   * @defaultValue the worker id of the config (`KinesisClientLibConfig.workerId`)
   */
  workerLabel?: string;
}

/** Parsed `listenAddress`. An empty host means all interfaces. */
export interface ListenAddress {
  host: string | undefined;
  port: number;
}

/** Parses `host:port`, `:port` or `[v6]:port`; throws a message naming the value on anything else. */
export function parseListenAddress(value: string): ListenAddress | string {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  if (!match) return `expected "host:port" or ":port", got ${JSON.stringify(value)}`;
  const port = Number(match[3]);
  if (port > 65_535) return `port must be 0-65535, got ${port}`;
  const host = match[1] ?? match[2];
  return { host: host ? host : undefined, port };
}

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

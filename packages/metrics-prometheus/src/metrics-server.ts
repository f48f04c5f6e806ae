import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@kcl/core';
import { KclError } from '@kcl/core';
import type { Registry } from 'prom-client';
import type { ListenAddress } from './options';

/** The standalone mode's HTTP server: serves `registry` on `path`, the lease-store health on its path, 404 elsewhere. */
export class MetricsServer {
  private server: Server | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly listen: ListenAddress,
    private readonly path: string,
    private readonly logger: () => Logger | undefined,
    /** Health endpoint (200 while `healthy()`, else 503), or undefined for none. */
    private readonly health: { path: string; healthy: () => boolean } | undefined = undefined,
  ) {}

  async start(): Promise<AddressInfo> {
    if (this.server) return this.server.address() as AddressInfo;
    const server = createServer((req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && this.health !== undefined && url === this.health.path) {
        const healthy = this.health.healthy();
        res.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(healthy ? 'ok\n' : 'lease store unavailable\n');
        return;
      }
      if (req.method !== 'GET' || url !== this.path) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      this.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
        (error: unknown) => {
          this.logger()?.error('metrics scrape failed', { error });
          res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          new KclError(
            'INVALID_CONFIG',
            `Prometheus metrics server cannot listen on ${this.describe()}: ${error.code ?? error.message}. Choose another listenAddress (e.g. ":9090" or "127.0.0.1:0").`,
            { cause: error },
          ),
        );
      };
      server.once('error', onError);
      const done = () => {
        server.off('error', onError);
        resolve();
      };
      if (this.listen.host === undefined) server.listen(this.listen.port, done);
      else server.listen(this.listen.port, this.listen.host, done);
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    this.logger()?.info('Prometheus metrics server listening', { address: `${address.address}:${address.port}`, path: this.path });
    return address;
  }

  address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private describe(): string {
    return `${this.listen.host ?? ''}:${this.listen.port}`;
  }
}

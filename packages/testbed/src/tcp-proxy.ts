/**
 * A loopback TCP fault proxy: put it between a client and a server (a lease store, say) and change how the path
 * behaves while the client runs.
 *
 * - `pass` (default): bytes are forwarded both ways, after `latencyMs` if set (order is kept).
 * - `blackhole`: nothing gets through in either direction and nothing is closed, like a network partition: bytes are
 *   held (new connections are accepted but not connected upstream) and delivered in order once the proxy is healed,
 *   as TCP retransmission would after a short partition. Clients see calls hang until their own timeouts.
 * - `reset`: every open connection is reset (RST) at once, and new connections are reset as soon as they are
 *   accepted, until the proxy is healed (a crashed or restarting server behind a load balancer).
 *
 * If the upstream server is down, a connection through the proxy is reset when its upstream connect fails.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { TestbedError, checkIntegerOption } from './errors';
import { LOOPBACK } from './free-port';

export type TcpProxyMode = 'pass' | 'blackhole' | 'reset';

export interface TcpProxyOptions {
  /** Where connections are forwarded to. */
  target: { host: string; port: number };
  /**
   * Port on 127.0.0.1 to listen on; 0 picks a free one.
   * @defaultValue 0
   */
  port?: number;
  /**
   * Added one-way latency per chunk, in ms (both directions).
   * @defaultValue 0
   */
  latencyMs?: number;
}

/** Counters of what the proxy did. */
export interface TcpProxyStats {
  /** Connections accepted. */
  connections: number;
  /** Connections open now. */
  open: number;
  /** Bytes delivered (both directions). */
  bytesForwarded: number;
  /** Bytes that arrived (either direction) while in `blackhole` mode, since the last {@link TcpFaultProxy.blackHole}. */
  bytesHeld: number;
  /** Connections reset (by {@link TcpFaultProxy.reset}, in reset mode, or because the upstream connect failed). */
  resets: number;
}

/** A running proxy; see the module comment for the modes. */
export interface TcpFaultProxy {
  host: string;
  port: number;
  /** `127.0.0.1:<port>` */
  address: string;
  readonly mode: TcpProxyMode;
  readonly latencyMs: number;
  readonly stats: TcpProxyStats;
  /** Added one-way latency per chunk from now on (chunks already queued keep theirs). */
  setLatency(ms: number): void;
  /** Holds every byte in both directions (open connections stay open) until {@link heal}. */
  blackHole(): void;
  /** Resets every open connection, and every new one until {@link heal}. */
  reset(): void;
  /** Back to `pass`: held bytes are delivered in order; new connections are forwarded. Latency is kept. */
  heal(): void;
  /** Resets every connection and stops listening. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 in `pass` mode. */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpFaultProxy> {
  checkIntegerOption('tcp-proxy', 'port', options.port, 0, 65535);
  checkIntegerOption('tcp-proxy', 'latencyMs', options.latencyMs, 0, 600_000);
  checkIntegerOption('tcp-proxy', 'target.port', options.target?.port, 1, 65535);
  const proxy = new Proxy(options);
  await proxy.listen(options.port ?? 0);
  return proxy;
}

/** One direction of one connection: a FIFO of chunks, each released at its due time unless the proxy holds. */
class Direction {
  private readonly queue: Array<{ chunk: Buffer; due: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  to: Socket | undefined;

  constructor(
    private readonly proxy: Proxy,
    private readonly onDelivered: (bytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.proxy.mode === 'blackhole') this.proxy.stats.bytesHeld += chunk.length;
    this.queue.push({ chunk, due: Date.now() + this.proxy.latencyMs });
    this.pump();
  }

  /** The source ended: end the destination once everything queued was delivered. */
  end(): void {
    this.ended = true;
    this.pump();
  }

  pump(): void {
    if (this.timer || !this.to || this.proxy.mode !== 'pass') return;
    const to = this.to;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const wait = head.due - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.queue.shift();
      if (to.destroyed) return;
      to.write(head.chunk);
      this.onDelivered(head.chunk.length);
    }
    if (this.ended && !to.destroyed) to.end();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }
}

class Connection {
  readonly up: Direction;
  readonly down: Direction;
  upstream: Socket | undefined;
  private closed = false;

  constructor(
    private readonly proxy: Proxy,
    readonly client: Socket,
  ) {
    this.up = new Direction(proxy, (n) => (proxy.stats.bytesForwarded += n));
    this.down = new Direction(proxy, (n) => (proxy.stats.bytesForwarded += n));
    this.down.to = client;
    client.on('data', (chunk: Buffer) => this.up.push(chunk));
    client.on('end', () => this.up.end());
    client.on('error', () => this.close(false));
    client.on('close', () => this.close(false));
    if (proxy.mode === 'pass') this.connectUpstream();
  }

  connectUpstream(): void {
    if (this.upstream || this.closed) return;
    const upstream = connect(this.proxy.target.port, this.proxy.target.host);
    this.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on('connect', () => {
      this.up.to = upstream;
      this.up.pump();
    });
    upstream.on('data', (chunk: Buffer) => this.down.push(chunk));
    upstream.on('end', () => this.down.end());
    // Upstream refused or failed: the client must notice, so reset it.
    upstream.on('error', () => this.close(true));
    upstream.on('close', () => this.close(false));
  }

  /** Resumes after a heal. */
  resume(): void {
    if (!this.upstream) this.connectUpstream();
    this.up.pump();
    this.down.pump();
  }

  close(reset: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.up.dispose();
    this.down.dispose();
    if (reset) this.proxy.stats.resets++;
    destroy(this.client, reset);
    if (this.upstream) destroy(this.upstream, reset);
    this.proxy.forget(this);
  }
}

function destroy(socket: Socket, reset: boolean): void {
  if (socket.destroyed) return;
  if (reset && typeof socket.resetAndDestroy === 'function' && socket.readyState !== 'opening') socket.resetAndDestroy();
  else socket.destroy();
}

class Proxy implements TcpFaultProxy {
  host = LOOPBACK;
  port = 0;
  address = '';
  mode: TcpProxyMode = 'pass';
  latencyMs: number;
  readonly target: { host: string; port: number };
  readonly stats: TcpProxyStats = { connections: 0, open: 0, bytesForwarded: 0, bytesHeld: 0, resets: 0 };
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private closing: Promise<void> | undefined;

  constructor(options: TcpProxyOptions) {
    this.target = { host: options.target.host, port: options.target.port };
    this.latencyMs = options.latencyMs ?? 0;
    this.server = createServer((client) => this.accept(client));
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error) =>
        reject(new TestbedError('tcp-proxy', `cannot listen on ${LOOPBACK}:${port}: ${error.message}`, { cause: error })),
      );
      this.server.listen(port, LOOPBACK, () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new TestbedError('tcp-proxy', 'no port after listen');
    this.port = address.port;
    this.address = `${LOOPBACK}:${this.port}`;
  }

  private accept(client: Socket): void {
    this.stats.connections++;
    client.setNoDelay(true);
    if (this.mode === 'reset' || this.closing) {
      this.stats.resets++;
      client.on('error', () => undefined);
      destroy(client, true);
      return;
    }
    const connection = new Connection(this, client);
    this.connections.add(connection);
    this.stats.open = this.connections.size;
  }

  forget(connection: Connection): void {
    this.connections.delete(connection);
    this.stats.open = this.connections.size;
  }

  setLatency(ms: number): void {
    checkIntegerOption('tcp-proxy', 'latencyMs', ms, 0, 600_000);
    this.latencyMs = ms;
  }

  blackHole(): void {
    this.mode = 'blackhole';
    this.stats.bytesHeld = 0;
  }

  reset(): void {
    this.mode = 'reset';
    for (const connection of [...this.connections]) connection.close(true);
  }

  heal(): void {
    this.mode = 'pass';
    for (const connection of [...this.connections]) connection.resume();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const connection of [...this.connections]) connection.close(true);
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    })();
    return this.closing;
  }
}

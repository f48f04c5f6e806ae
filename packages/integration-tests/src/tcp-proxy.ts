/**
 * A loopback TCP proxy for fault injection: forwards every connection to a target until {@link TcpProxy.blackHole}
 * is called; from then on it accepts connections and reads bytes but forwards nothing in either direction and never
 * closes anything, like a server or network path that stopped answering (requests hang until the client's own
 * timeout).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface ProxyTarget {
  host: string;
  port: number;
}

export class TcpProxy {
  private blackHoled = false;
  private readonly sockets = new Set<Socket>();
  /** Connections accepted so far. */
  connections = 0;
  /** Bytes forwarded client -> target and target -> client. */
  bytesForwarded = 0;
  /** Bytes read and dropped while black-holed. */
  bytesDropped = 0;

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  /** Listens on a free 127.0.0.1 port and forwards to `target`. */
  static async start(target: ProxyTarget): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy?.accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('TcpProxy: no port');
    proxy = new TcpProxy(server, '127.0.0.1', address.port);
    return proxy;
  }

  /** Where clients connect. */
  get address(): ProxyTarget {
    return { host: this.host, port: this.port };
  }

  get isBlackHoled(): boolean {
    return this.blackHoled;
  }

  /** Stops forwarding: bytes in either direction are read and dropped; sockets stay open. */
  blackHole(): void {
    this.blackHoled = true;
  }

  /** Destroys every connection and stops listening. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private accept(client: Socket, target: ProxyTarget): void {
    this.connections += 1;
    this.track(client);
    if (this.blackHoled) {
      client.on('data', (chunk: Buffer) => {
        this.bytesDropped += chunk.length;
      });
      return;
    }
    const upstream = connect(target.port, target.host);
    this.track(upstream);
    const pipe = (from: Socket, to: Socket): void => {
      from.on('data', (chunk: Buffer) => {
        if (this.blackHoled) {
          this.bytesDropped += chunk.length;
          return;
        }
        this.bytesForwarded += chunk.length;
        to.write(chunk);
      });
      // While forwarding, a close on one side closes the other; once black-holed, nothing is closed.
      from.on('close', () => {
        if (!this.blackHoled) to.destroy();
      });
    };
    pipe(client, upstream);
    pipe(upstream, client);
  }
}

/**
 * A loopback TCP proxy for fault injection. It forwards every connection to a target until
 * {@link TcpProxy.blackHole}; from then on it accepts connections and reads bytes but forwards nothing in either
 * direction and closes nothing, like a server or network path that stopped answering: requests hang until the
 * client's own timeout. {@link TcpProxy.release} delivers everything held back, late and in order (including
 * requests whose client gave up meanwhile), then forwards normally again, like a network partition that heals.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface ProxyTarget {
  host: string;
  port: number;
}

/** One direction of one connection. */
interface Leg {
  to: Socket;
  held: Buffer[];
  /** The sending side closed while bytes were held: close `to` once they are delivered. */
  endAfterRelease: boolean;
}

export class TcpProxy {
  private holding = false;
  private readonly legs = new Set<Leg>();
  private readonly sockets = new Set<Socket>();
  /** Connections accepted so far. */
  connections = 0;
  /** Bytes forwarded (either direction), held bytes included once released. */
  bytesForwarded = 0;
  /** Bytes held back since the last {@link blackHole}. */
  bytesHeld = 0;

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

  /** Stops forwarding: bytes in either direction are read and held back; no socket is closed. */
  blackHole(): void {
    this.holding = true;
    this.bytesHeld = 0;
  }

  /** Delivers every held byte (late, in order) and forwards normally again. */
  release(): void {
    this.holding = false;
    for (const leg of this.legs) {
      for (const chunk of leg.held.splice(0)) this.forward(leg, chunk);
      if (leg.endAfterRelease) leg.to.end();
    }
  }

  /** Destroys every connection and stops listening. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.legs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private forward(leg: Leg, chunk: Buffer): void {
    this.bytesForwarded += chunk.length;
    if (!leg.to.destroyed) leg.to.write(chunk);
  }

  private accept(client: Socket, target: ProxyTarget): void {
    this.connections += 1;
    const upstream = connect(target.port, target.host);
    this.track(client);
    this.track(upstream);
    const pipe = (from: Socket, to: Socket): void => {
      const leg: Leg = { to, held: [], endAfterRelease: false };
      this.legs.add(leg);
      from.on('data', (chunk: Buffer) => {
        if (this.holding) {
          this.bytesHeld += chunk.length;
          leg.held.push(chunk);
        } else {
          this.forward(leg, chunk);
        }
      });
      from.on('close', () => {
        if (this.holding || leg.held.length > 0) {
          leg.endAfterRelease = true;
        } else {
          to.end();
          this.legs.delete(leg);
        }
      });
    };
    pipe(client, upstream);
    pipe(upstream, client);
  }
}

import { createConnection, createServer } from 'node:net';
import { LOOPBACK } from '@kcl/local';

/** Loopback address every stand-in binds to (@kcl/local's). */
export { LOOPBACK };

/**
 * Asks the OS for a free TCP port on 127.0.0.1 (bind to port 0, read the port, close). Another process may take the
 * port before the caller binds it, so callers retry on EADDRINUSE.
 * @param options.max - only accept ports up to this number (e.g. to leave room for a derived port).
 * @defaultValue max 65535
 */
export async function getFreePort(options: { max?: number } = {}): Promise<number> {
  const max = options.max ?? 65535;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once('error', reject);
      server.listen(0, LOOPBACK, () => {
        const address = server.address();
        const found = typeof address === 'object' && address !== null ? address.port : 0;
        server.close(() => resolve(found));
      });
    });
    if (port > 0 && port <= max) return port;
  }
  throw new Error(`getFreePort: no free port at or below ${max} after 50 attempts`);
}

/** Returns `count` distinct free ports. */
export async function getFreePorts(count: number, options: { max?: number } = {}): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await getFreePort(options));
  return [...ports];
}

/**
 * Resolves once a TCP connection to host:port succeeds; rejects after `timeoutMs`.
 * @defaultValue host `'127.0.0.1'`, timeoutMs `10000`, intervalMs `25`
 */
export async function waitForPort(port: number, options: { host?: string; timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
  const host = options.host ?? LOOPBACK;
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`waitForPort: nothing listens on ${host}:${port}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}

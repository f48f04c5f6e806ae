import type { Server } from 'node:http';
import { TestbedError } from './errors';
import { LOOPBACK } from './free-port';
import type { LocalServer } from './types';

/**
 * Binds an in-process HTTP server (kinesalite, dynalite) to 127.0.0.1:`port` (0 = a free port chosen by the OS, so
 * no port race) and wraps it as a LocalServer.
 */
export async function listenLocal(name: string, server: Server, port: number): Promise<LocalServer> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void =>
      reject(new TestbedError(name, `cannot listen on ${LOOPBACK}:${port}: ${error.message}`, { cause: error }));
    server.once('error', onError);
    server.listen(port, LOOPBACK, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new TestbedError(name, 'server has no TCP address after listen');
  // Requests being answered. dynalite queues each request's database work (setImmediate) and throws an uncaught
  // "Database is closed" if that work runs after its close(): stop() first lets answered requests finish.
  let inFlight = 0;
  const drained: (() => void)[] = [];
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) drained.splice(0).forEach((resolve) => resolve());
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    server.closeIdleConnections();
    if (inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        drained.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    // One more turn so work queued by the last answered request settles before the database closes.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // Drop keep-alive and in-flight connections of clients the caller did not destroy.
      server.closeAllConnections();
    });
  };
  return {
    host: LOOPBACK,
    port: address.port,
    endpoint: `http://${LOOPBACK}:${address.port}`,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

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
    const onError = (error: Error): void => reject(new TestbedError(name, `cannot listen on ${LOOPBACK}:${port}: ${error.message}`, { cause: error }));
    server.once('error', onError);
    server.listen(port, LOOPBACK, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new TestbedError(name, 'server has no TCP address after listen');
  let stopping: Promise<void> | undefined;
  return {
    host: LOOPBACK,
    port: address.port,
    endpoint: `http://${LOOPBACK}:${address.port}`,
    stop: () => {
      stopping ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Drop keep-alive and in-flight connections of clients the caller did not destroy.
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

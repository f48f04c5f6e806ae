import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { LocalError } from './errors';

/** The address every stand-in binds to: nothing is reachable from other machines. */
export const LOOPBACK = '127.0.0.1';

/** A running stand-in. */
export interface LocalServer {
  /** Always 127.0.0.1. */
  host: string;
  /** The port it listens on (the one chosen by the system when 0 was asked for). */
  port: number;
  /** e.g. `http://127.0.0.1:4567` (Kinesis, DynamoDB) or `redis://127.0.0.1:6379`. */
  endpoint: string;
  /** Stops the server and frees its port; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read, released). Another process may take it
 * before the caller binds it.
 */
export async function getFreePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, LOOPBACK, () => {
      const bound = probe.address();
      probe.close(() => (typeof bound === 'object' && bound !== null ? resolve(bound.port) : reject(new Error('no port bound'))));
    });
  });
}

/** Waits until every request being answered has closed, or `limitMs` passed. */
function trackRequests(server: Server): (limitMs: number) => Promise<void> {
  let open = 0;
  let idle: (() => void)[] = [];
  server.on('request', (_request, response) => {
    open += 1;
    response.once('close', () => {
      open -= 1;
      if (open > 0) return;
      const waiting = idle;
      idle = [];
      for (const wake of waiting) wake();
    });
  });
  return (limitMs) =>
    open === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, limitMs);
          idle.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
}

/**
 * Binds an in-process HTTP stand-in (kinesalite, dynalite) to 127.0.0.1:`port` (0: the system picks a free port) and
 * wraps it as a LocalServer. A taken port is a PORT_IN_USE LocalError.
 */
export async function listenOnLoopback(service: string, server: Server, port: number): Promise<LocalServer> {
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => {
      const code = error.code === 'EADDRINUSE' ? 'PORT_IN_USE' : 'START_FAILED';
      reject(new LocalError(code, service, `cannot listen on ${LOOPBACK}:${port}: ${error.message}`, { cause: error }));
    };
    server.once('error', failed);
    server.listen(port, LOOPBACK, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const bound = server.address();
  if (bound === null || typeof bound !== 'object') throw new LocalError('START_FAILED', service, 'no TCP address after listen');
  const drained = trackRequests(server);
  const close = async (): Promise<void> => {
    server.closeIdleConnections();
    // dynalite runs a request's database work on a later turn and throws "Database is closed" if that work comes
    // after close(): let answered requests finish, then give their queued work one more turn.
    await drained(2_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  };
  let closing: Promise<void> | undefined;
  return {
    host: LOOPBACK,
    port: bound.port,
    endpoint: `http://${LOOPBACK}:${bound.port}`,
    stop: () => (closing ??= close()),
  };
}

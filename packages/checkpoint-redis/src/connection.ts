import { inspect } from 'node:util';
import type { Logger } from '@kcl/core';
import { LeaseStoreUnavailableError } from '@kcl/core';
import { createClient, ErrorReply } from 'redis';
import type { RedisClientLike } from './options';
import type { Redactor } from './redactor';
import type { OwnConnection } from './resolve-options';

/** Back-off between reconnection attempts after `init()`: 100 ms doubling up to this cap, plus jitter. */
export const MAX_RECONNECT_DELAY_MILLIS = 2_000;
const GRACEFUL_CLOSE_MILLIS = 1_000;

/** A client this package opened, with the state its reconnect strategy and error logging depend on. */
export interface OwnClient {
  readonly client: RedisClientLike;
  /** Called once `init()` succeeded: from then on the client reconnects (bounded back-off) instead of failing. */
  markReady(): void;
  /** The error that broke the connection, while it is down (undefined when connected). */
  readonly lastError: unknown;
  /** Closes the connection: waits up to a second for pending replies, then forces it. Idempotent. */
  close(): Promise<void>;
}

interface Settings {
  connectTimeoutMillis: number;
  logger: Logger;
  redactor: Redactor;
}

/**
 * Opens a connection for `init()`. Connection attempts are retried with back-off until `connectTimeoutMillis` has
 * passed; a rejected handshake (wrong password, TLS failure) fails at once. After {@link OwnClient.markReady} a lost
 * connection is re-established with a back-off capped at {@link MAX_RECONNECT_DELAY_MILLIS}; meanwhile calls fail
 * fast (no offline queue) with errors the checkpointer maps to LeaseStoreUnavailableError.
 */
export async function connectOwnClient(conn: OwnConnection, settings: Settings): Promise<OwnClient> {
  const { connectTimeoutMillis, logger, redactor } = settings;
  const deadline = Date.now() + connectTimeoutMillis;
  let phase: 'connecting' | 'ready' | 'closing' = 'connecting';
  let outage = false;
  let lastError: unknown;

  const reconnectStrategy = (retries: number, cause: Error): number | false => {
    if (phase === 'closing') return false;
    if (phase === 'connecting') {
      // A rejected handshake (AUTH, SELECT) or a TLS failure will not fix itself within init's time budget.
      if (cause instanceof ErrorReply || isTlsFailure(cause)) return false;
      const delay = Math.min(50 * 2 ** retries, 500);
      return Date.now() + delay < deadline ? delay : false;
    }
    return Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MILLIS) + Math.floor(Math.random() * 100);
  };

  const socket = {
    host: conn.host,
    port: conn.port,
    connectTimeout: Math.max(1, Math.min(connectTimeoutMillis, 10_000)),
    reconnectStrategy,
  };
  const client = createClient({
    socket: conn.tls === false ? socket : { ...conn.tls, ...socket, tls: true as const },
    ...(conn.username !== undefined ? { username: conn.username } : {}),
    ...(conn.password !== undefined ? { password: conn.password } : {}),
    database: conn.db,
    // RESP2: plain AUTH + SELECT, so servers older than Redis 6 (no HELLO) work too; replies are normalised anyway.
    RESP: 2,
    disableOfflineQueue: true,
  });

  client.on('error', (error: unknown) => {
    lastError = error;
    const message = redactor.redact(error instanceof Error ? error.message || error.name : String(error));
    if (phase === 'ready' && !outage) {
      outage = true;
      logger.warn('Redis lease store connection lost; reconnecting', { address: conn.display, error: message });
    } else {
      logger.debug('Redis lease store connection error', { address: conn.display, phase, error: message });
    }
  });
  client.on('ready', () => {
    lastError = undefined;
    if (phase === 'ready' && outage) {
      outage = false;
      logger.info('Redis lease store connection re-established', { address: conn.display });
    }
  });

  const close = async (graceful = true): Promise<void> => {
    if (phase === 'closing') return;
    const wasReady = phase === 'ready';
    phase = 'closing';
    if (graceful && wasReady && client.isReady) {
      // close() waits for pending replies; never longer than a second (a dead server would never answer).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.close().catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, GRACEFUL_CLOSE_MILLIS);
        }),
      ]);
      clearTimeout(timer);
    }
    client.destroy();
  };

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        // The retry budget ends at the same deadline: when the last attempt's failure (e.g. ECONNREFUSED) loses the race
        // to this timer on a busy event loop, it still tells the user why.
        const seen =
          lastError === undefined
            ? ''
            : `; last error: ${redactor.redact(lastError instanceof Error ? lastError.message || lastError.name : inspect(lastError))}`;
        reject(
          new LeaseStoreUnavailableError(
            `Redis lease store at ${conn.display} did not answer within ${connectTimeoutMillis} ms (connectTimeoutMillis)${seen}`,
            lastError === undefined ? {} : { cause: lastError },
          ),
        );
      },
      Math.max(0, deadline - Date.now()),
    );
  });
  // The handshake (AUTH, SELECT) runs inside connect(); PING proves the server answers commands too.
  const handshake = client.connect().then(() => client.sendCommand(['PING']));
  handshake.catch(() => undefined); // still settles after a timeout; its error was already reported
  try {
    await Promise.race([handshake, timeout]);
  } catch (error) {
    await close(false);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    client,
    get lastError() {
      return lastError;
    },
    markReady: () => {
      if (phase === 'connecting') phase = 'ready';
    },
    close: () => close(),
  };
}

function isTlsFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(ERR_SSL_|ERR_TLS_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|CERT_)/.test(code);
}

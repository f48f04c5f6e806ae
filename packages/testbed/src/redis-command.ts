import { createClient } from 'redis';

/** Where a one-off admin command goes. */
export interface RedisCommandTarget {
  host: string;
  port: number;
  password?: string | undefined;
  /** CA PEM: connect with TLS and verify the server against it. */
  tlsCa?: string | undefined;
}

/**
 * Sends one command over a fresh node-redis connection (AUTH first if a password is given) and returns its reply as
 * text (`null` for a nil reply). For start-up checks and cluster set-up (INFO, PING, CLUSTER ...), where a pooled
 * client would be in the way: no reconnects, no client-info commands on connect, the connection is closed after the
 * reply. Rejects with node-redis's `ErrorReply` on an error reply (e.g. `-LOADING` while a server loads its data), or
 * with the connection error, or when no reply came within `timeoutMs`.
 * @defaultValue timeoutMs 2000
 */
export async function redisCommand(target: RedisCommandTarget, args: readonly string[], timeoutMs = 2000): Promise<string | null> {
  const tls = target.tlsCa !== undefined ? { tls: true as const, ca: target.tlsCa } : {};
  const client = createClient({
    socket: { host: target.host, port: target.port, connectTimeout: timeoutMs, socketTimeout: timeoutMs, reconnectStrategy: false, ...tls },
    ...(target.password !== undefined ? { password: target.password } : {}),
    disableClientInfo: true,
  });
  // Errors reach the caller through the rejected connect() or command; the event only must not go unhandled.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const reply: unknown = await client.sendCommand([...args]);
    if (reply === null || reply === undefined) return null;
    return Buffer.isBuffer(reply) ? reply.toString('utf8') : String(reply as string | number);
  } finally {
    client.destroy();
  }
}

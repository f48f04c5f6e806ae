import { existsSync } from 'node:fs';
import { createClient } from 'redis';
import { startDurableRedis, useServer } from '../src';

describe('durable redis-server', () => {
  const server = useServer(startDurableRedis);

  it('keeps every write across a SIGKILL and comes back on the same port', async () => {
    const redis = createClient({ url: server().url, socket: { reconnectStrategy: false } });
    redis.on('error', () => undefined);
    await redis.connect();
    await redis.set('kcl-test:durable', 'kept');
    expect(await redis.configGet('appendfsync')).toEqual({ appendfsync: 'always' });
    redis.destroy();

    const port = server().port;
    await server().crash();
    expect(server().running).toBe(false);
    await server().restart(10);
    expect(server().running).toBe(true);
    expect(server().restarts).toBe(1);
    expect(server().port).toBe(port);

    const again = createClient({ url: server().url, socket: { reconnectStrategy: false } });
    again.on('error', () => undefined);
    await again.connect();
    try {
      expect(await again.get('kcl-test:durable')).toBe('kept');
    } finally {
      again.destroy();
    }
  });

  it('removes its data directory on stop', async () => {
    const other = await startDurableRedis();
    expect(existsSync(other.dir)).toBe(true);
    await other.stop();
    expect(existsSync(other.dir)).toBe(false);
    expect(other.running).toBe(false);
  });
});

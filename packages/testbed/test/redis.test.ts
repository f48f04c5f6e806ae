import { createClient } from 'redis';
import { startRedis, TestbedError, type RedisServerHandle } from '../src';
import { redisCommand } from '../src/redis-command';
import { processAlive, waitForProcessExit } from './support';

/** Connects node-redis without reconnecting, so a failed handshake rejects connect() instead of retrying. */
function client(url: string, socket: { tls?: true; ca?: string } = {}) {
  const c = createClient({ url, socket: { ...socket, reconnectStrategy: false } });
  c.on('error', () => undefined); // failures surface through the awaited calls
  return c;
}

async function serverPid(server: RedisServerHandle): Promise<number> {
  const info = await redisCommand({ host: server.host, port: server.port, password: server.password, tlsCa: server.tlsCa }, ['INFO', 'server']);
  return Number(/process_id:(\d+)/.exec(info ?? '')?.[1]);
}

describe('redis-server', () => {
  const servers: RedisServerHandle[] = [];
  const start = async (options?: Parameters<typeof startRedis>[0]): Promise<RedisServerHandle> => {
    const server = await startRedis(options);
    servers.push(server);
    return server;
  };

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('plain: answers PING, SET and GET from node-redis', async () => {
    const server = await start();
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
    const redis = client(server.url);
    await redis.connect();
    try {
      expect(await redis.ping()).toBe('PONG');
      await redis.set('kcl-test:key', 'value');
      expect(await redis.get('kcl-test:key')).toBe('value');
      expect(await redis.configGet('save')).toEqual({ save: '' });
    } finally {
      redis.destroy();
    }
  });

  it('AUTH: rejects a wrong or missing password and accepts the right one', async () => {
    const server = await start({ password: 's3cret/pw' });
    expect(server.url).toBe(`redis://:s3cret%2Fpw@127.0.0.1:${server.port}`);
    expect(server.password).toBe('s3cret/pw');

    const wrong = client(`redis://:nope@${server.address}`);
    await expect(wrong.connect()).rejects.toThrow(/WRONGPASS/);
    wrong.destroy();

    const anonymous = client(server.endpoint);
    await expect(anonymous.connect()).rejects.toThrow(/NOAUTH/);
    anonymous.destroy();

    const right = client(server.url);
    await right.connect();
    await right.set('k', 'v');
    expect(await right.get('k')).toBe('v');
    right.destroy();
  });

  it('TLS: node-redis over rediss:// trusts the throwaway CA and nothing else', async () => {
    const server = await start({ tls: true });
    expect(server.url).toBe(`rediss://127.0.0.1:${server.port}`);
    expect(server.tlsCa).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const trusted = client(server.url, { tls: true, ca: server.tlsCa as string });
    await trusted.connect();
    await trusted.set('tls-key', 'over tls');
    expect(await trusted.get('tls-key')).toBe('over tls');
    trusted.destroy();

    const untrusted = client(server.url, { tls: true });
    await expect(untrusted.connect()).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    untrusted.destroy();
  });

  it('kills the server process on stop()', async () => {
    const server = await startRedis();
    const pid = await serverPid(server);
    expect(processAlive(pid)).toBe(true);
    await server.stop();
    await waitForProcessExit(pid, 1000);
  });

  it('rejects bad options with a TestbedError', async () => {
    await expect(startRedis({ password: '' })).rejects.toThrow(TestbedError);
    await expect(startRedis({ port: 70000 })).rejects.toThrow(/port must be an integer/);
  });

  it('names the server and shows its output when a fixed port is taken', async () => {
    const server = await start();
    await expect(startRedis({ port: server.port })).rejects.toThrow(/\[redis-server\][\s\S]*exited with code 1[\s\S]*Address already in use/);
  });
});

import { createServer, type Server, type Socket } from 'node:net';
import { findRedisServer, pingRedis, startLocalRedis, type LocalRedis } from '../src';

describe('startLocalRedis', () => {
  let ours: LocalRedis;

  beforeAll(async () => {
    ours = await startLocalRedis({ port: 0 });
  });

  afterAll(async () => {
    await ours?.stop();
  });

  it('starts redis-server from the PATH on a free 127.0.0.1 port when asked for port 0', async () => {
    expect(ours.origin).toBe('started');
    expect(ours.url).toBe(`redis://127.0.0.1:${ours.port}`);
    expect(await pingRedis(ours.port)).toBe('+PONG');
  });

  it('uses a Redis already answering on the port and leaves it running on stop()', async () => {
    const reused = await startLocalRedis({ port: ours.port });
    expect(reused.origin).toBe('existing');
    await reused.stop();
    expect(await pingRedis(ours.port)).toBe('+PONG');
  });

  it('stops the server it started', async () => {
    const other = await startLocalRedis({ port: 0 });
    await other.stop();
    await other.stop(); // twice is fine
    expect(await pingRedis(other.port)).toBeUndefined();
  });

  it('reports PORT_IN_USE when something that is not Redis holds the port', async () => {
    const sockets: Socket[] = [];
    const squatter: Server = createServer((socket) => {
      sockets.push(socket);
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    try {
      const port = (squatter.address() as { port: number }).port;
      await expect(startLocalRedis({ port })).rejects.toMatchObject({ code: 'PORT_IN_USE', service: 'redis' });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('reports Redis as absent (START_FAILED, missingProgram) when none answers and redis-server is not on the PATH', async () => {
    expect(findRedisServer('')).toBeUndefined();
    expect(findRedisServer(process.env.PATH)).toMatch(/redis-server$/);
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startLocalRedis({ port: 0 })).rejects.toMatchObject({ code: 'START_FAILED', missingProgram: 'redis-server' });
    } finally {
      process.env.PATH = path;
    }
  });

  it('rejects a bad port with LOCAL_BAD_OPTION', async () => {
    await expect(startLocalRedis({ port: -1 })).rejects.toMatchObject({ code: 'LOCAL_BAD_OPTION', message: expect.stringMatching(/option port/) });
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { getFreePort, startTcpProxy, TestbedError, type TcpFaultProxy } from '../src';

/** An echo server on a free loopback port. */
async function startEcho(): Promise<{ server: Server; port: number; sockets: Set<Socket>; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => socket.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    server,
    port,
    sockets,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A client connection that collects what it receives and how it ended. */
interface Client {
  socket: Socket;
  received(): string;
  ended: Promise<{ error: string | undefined }>;
  waitFor(text: string, timeoutMs?: number): Promise<number>;
}

function client(proxy: TcpFaultProxy): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy.port, proxy.host);
    let data = '';
    let error: string | undefined;
    const ended = new Promise<{ error: string | undefined }>((done) => socket.on('close', () => done({ error })));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('data', (chunk) => (data += chunk.toString('utf8')));
    const result: Client = {
      socket,
      received: () => data,
      ended,
      waitFor: (text, timeoutMs = 2_000) => {
        const started = Date.now();
        return new Promise((done, fail) => {
          const check = (): void => {
            if (data.includes(text)) done(Date.now() - started);
            else if (Date.now() - started > timeoutMs)
              fail(new Error(`no ${JSON.stringify(text)} within ${timeoutMs} ms (got ${JSON.stringify(data)})`));
            else setTimeout(check, 5);
          };
          check();
        });
      },
    };
    // Resolves once connected, or once closed (a reset can come before 'connect' is seen); rejects on refusal.
    socket.once('connect', () => resolve(result));
    socket.once('close', () => (error === 'ECONNREFUSED' ? reject(Object.assign(new Error(error), { code: error })) : resolve(result)));
  });
}

let echo: Awaited<ReturnType<typeof startEcho>>;
let proxy: TcpFaultProxy;

beforeEach(async () => {
  echo = await startEcho();
  proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: echo.port } });
});
afterEach(async () => {
  await proxy.close();
  await echo.stop();
});

test('pass-through: bytes go both ways and are counted', async () => {
  expect(proxy.address).toBe(`127.0.0.1:${proxy.port}`);
  expect(proxy.mode).toBe('pass');
  const c = await client(proxy);
  c.socket.write('hello');
  await c.waitFor('hello');
  expect(proxy.stats).toMatchObject({ connections: 1, open: 1, bytesForwarded: 10, resets: 0 });
  c.socket.end();
  await c.ended;
});

test('added latency delays each direction, keeps the order, and can be changed live', async () => {
  proxy.setLatency(120);
  const c = await client(proxy);
  c.socket.write('a');
  c.socket.write('b');
  c.socket.write('c');
  const elapsed = await c.waitFor('abc');
  expect(elapsed).toBeGreaterThanOrEqual(230); // 2 x 120 ms, minus timer granularity
  expect(c.received()).toBe('abc');
  proxy.setLatency(0);
  const fast = await (async () => {
    c.socket.write('d');
    return c.waitFor('abcd');
  })();
  expect(fast).toBeLessThan(100);
  expect(() => proxy.setLatency(-1)).toThrow(TestbedError);
  c.socket.destroy();
});

test('black hole: nothing gets through and nothing is closed; after heal the held bytes arrive in order', async () => {
  const c = await client(proxy);
  c.socket.write('1');
  await c.waitFor('1');
  proxy.blackHole();
  expect(proxy.mode).toBe('blackhole');
  c.socket.write('2');
  c.socket.write('3');
  // A new connection during the partition is accepted but goes nowhere either.
  const late = await client(proxy);
  late.socket.write('x');
  await sleep(200);
  expect(c.received()).toBe('1');
  expect(late.received()).toBe('');
  expect(c.socket.destroyed).toBe(false);
  expect(proxy.stats.bytesHeld).toBe(3);
  proxy.heal();
  await c.waitFor('123');
  await late.waitFor('x');
  expect(c.received()).toBe('123');
  c.socket.destroy();
  late.socket.destroy();
});

test('reset: open connections get a RST, new ones too until heal; then connections work again', async () => {
  const c = await client(proxy);
  c.socket.write('1');
  await c.waitFor('1');
  proxy.reset();
  expect(await c.ended).toEqual({ error: 'ECONNRESET' });
  const during = await client(proxy);
  expect(await during.ended).toEqual({ error: 'ECONNRESET' });
  expect(proxy.stats.resets).toBe(2);
  proxy.heal();
  const after = await client(proxy);
  after.socket.write('ok');
  await after.waitFor('ok');
  after.socket.destroy();
});

test('the upstream server down: a connection through the proxy is reset', async () => {
  const deadPort = await getFreePort();
  const orphan = await startTcpProxy({ target: { host: '127.0.0.1', port: deadPort } });
  try {
    const c = await client(orphan);
    c.socket.write('anyone?');
    expect((await c.ended).error).toBe('ECONNRESET');
  } finally {
    await orphan.close();
  }
});

test('close() resets every connection, frees the port and is safe to call twice', async () => {
  const c = await client(proxy);
  await proxy.close();
  await proxy.close();
  expect((await c.ended).error).toBe('ECONNRESET');
  await expect(client(proxy)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
});

test('bad options are rejected with a TestbedError naming the option', async () => {
  await expect(startTcpProxy({ target: { host: '127.0.0.1', port: 0 } })).rejects.toThrow(/target\.port/);
  await expect(startTcpProxy({ target: { host: '127.0.0.1', port: 80 }, latencyMs: 1.5 })).rejects.toThrow(TestbedError);
});

import { takeOrRenewLease } from '@kcl/core';
import { createServer, type Server, type Socket } from 'node:net';
import { createShardStatus, LeaseStoreAuthError, LeaseStoreError, LeaseStoreUnavailableError } from '@kcl/core';
import { getFreePort, startRedis, type RedisServerHandle } from '@kcl/testbed';
import { createClient } from 'redis';
import { RedisCheckpoint, type RedisCheckpointOptions } from '../src';
import { captureLogger, errorText, rejection, tableName, testConfig } from './helpers';

// Bad connection settings fail init() within a bounded time with a typed error that names host:port and never shows
// a password, in the error or in the logs.

const PASSWORD = 'Corr3ctHorse';
const WRONG = 'Wr0ngStaple';
let open: RedisServerHandle;
let secured: RedisServerHandle;

beforeAll(async () => {
  [open, secured] = await Promise.all([startRedis(), startRedis({ password: PASSWORD })]);
});
afterAll(async () => {
  await Promise.all([open?.stop(), secured?.stop()]);
});

async function failInit(options: RedisCheckpointOptions): Promise<{ error: unknown; lines: string[]; millis: number }> {
  const { logger, lines } = captureLogger();
  const cp = new RedisCheckpoint(testConfig(tableName(), 'w', { logger }), options);
  const started = Date.now();
  const error = await rejection(cp.init());
  const millis = Date.now() - started;
  await cp.close();
  return { error, lines, millis };
}

function expectNoSecret(error: unknown, lines: string[]): void {
  for (const secret of [PASSWORD, WRONG]) {
    expect(errorText(error)).not.toContain(secret);
    expect(lines.join('\n')).not.toContain(secret);
  }
}

it('an unreachable port: LeaseStoreUnavailableError naming host:port, retryable, within connectTimeoutMillis', async () => {
  const port = await getFreePort();
  const { error, lines, millis } = await failInit({ address: `127.0.0.1:${port}`, connectTimeoutMillis: 800 });
  expect(error).toBeInstanceOf(LeaseStoreUnavailableError);
  expect((error as LeaseStoreUnavailableError).retryable).toBe(true);
  expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  expect((error as Error).message).toMatch(/ECONNREFUSED/);
  expect(millis).toBeLessThan(2_500);
  expect(lines.some((l) => l.startsWith('error Redis lease store init failed'))).toBe(true);
});

describe('a server that accepts connections but never answers', () => {
  let silent: Server;
  let port: number;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Reads and discards everything, answers nothing.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('fails init after connectTimeoutMillis instead of hanging', async () => {
    const { error, millis } = await failInit({ address: `127.0.0.1:${port}`, connectTimeoutMillis: 600 });
    expect(error).toBeInstanceOf(LeaseStoreUnavailableError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).toContain('600 ms');
    expect(millis).toBeGreaterThanOrEqual(550);
    expect(millis).toBeLessThan(2_000);
  });
});

describe('a server that drops the first connection, then never answers', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    let connections = 0;
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      connections += 1;
      if (connections === 1)
        socket.destroy(); // the client sees a connection error and retries
      else socket.resume(); // reads and discards everything, answers nothing
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('the connectTimeoutMillis error names the last connection error it saw (and carries it as cause)', async () => {
    const { error } = await failInit({ address: `127.0.0.1:${port}`, connectTimeoutMillis: 600 });
    expect(error).toBeInstanceOf(LeaseStoreUnavailableError);
    expect((error as Error).message).toContain('600 ms (connectTimeoutMillis); last error: ');
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});

describe('credentials', () => {
  it.each<[string, () => RedisCheckpointOptions]>([
    ['wrong password option', () => ({ address: secured.address, password: WRONG })],
    ['wrong password in the URL', () => ({ address: `redis://:${WRONG}@${secured.address}` })],
    ['wrong password option overriding a right one in the URL', () => ({ address: `redis://:${PASSWORD}@${secured.address}`, password: WRONG })],
    ['wrong user in the URL', () => ({ address: `redis://nobody:${PASSWORD}@${secured.address}` })],
    ['no password for a server that requires one', () => ({ address: secured.address })],
  ])('%s: LeaseStoreAuthError at once, no password in error or logs', async (_name, options) => {
    const { error, lines, millis } = await failInit({ ...options(), connectTimeoutMillis: 5_000 });
    expect(error).toBeInstanceOf(LeaseStoreAuthError);
    expect((error as LeaseStoreAuthError).retryable).toBe(false);
    expect((error as Error).message).toContain(secured.address);
    expect(millis).toBeLessThan(1_500); // not retried until the connect timeout
    expectNoSecret(error, lines);
  });

  it('an ACL user (username option or URL user) authenticates', async () => {
    const admin = createClient({ url: secured.url });
    await admin.connect();
    await admin.sendCommand(['ACL', 'SETUSER', 'kcl-app', 'on', '>App-Pass-1', '~*', '+@all']);
    await admin.close();
    for (const options of [
      { address: secured.address, username: 'kcl-app', password: 'App-Pass-1' },
      { address: `redis://kcl-app:App-Pass-1@${secured.address}` },
    ]) {
      const cp = new RedisCheckpoint(testConfig(tableName(), 'w'), options);
      await takeOrRenewLease(cp, createShardStatus('shardId-000000000001'), 'w');
      await cp.close();
    }
    const { error } = await failInit({ address: secured.address, username: 'kcl-app', password: PASSWORD });
    expect(error).toBeInstanceOf(LeaseStoreAuthError);
  });

  it('a password sent to a server without one is rejected (AUTH without requirepass)', async () => {
    const { error, lines } = await failInit({ address: open.address, password: WRONG });
    expect(error).toBeInstanceOf(LeaseStoreAuthError);
    expect((error as Error).message).toContain(open.address);
    expectNoSecret(error, lines);
  });

  it('the right password works (option or URL) and is never logged', async () => {
    for (const options of [{ address: secured.address, password: PASSWORD }, { address: `redis://:${PASSWORD}@${secured.address}` }]) {
      const { logger, lines } = captureLogger();
      const cp = new RedisCheckpoint(testConfig(tableName(), 'w', { logger }), options);
      const shard = createShardStatus('shardId-000000000001');
      await takeOrRenewLease(cp, shard, 'w');
      expect(shard.leaseCounter).toBe(1);
      await cp.close();
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).not.toContain(PASSWORD);
    }
  });
});

describe('lifecycle', () => {
  it('init() fails, then succeeds once the server is there (a failed init is not cached)', async () => {
    const port = await getFreePort();
    const cp = new RedisCheckpoint(testConfig(tableName(), 'w'), { address: `127.0.0.1:${port}`, connectTimeoutMillis: 300 });
    await expect(cp.init()).rejects.toBeInstanceOf(LeaseStoreUnavailableError);
    const late = await startRedis({ port });
    try {
      await cp.init();
      await takeOrRenewLease(cp, createShardStatus('shardId-000000000001'), 'w');
    } finally {
      await cp.close();
      await late.stop();
    }
  });

  it('calls init() lazily, shares one connection between concurrent inits, and refuses calls after close()', async () => {
    const cp = new RedisCheckpoint(testConfig(tableName(), 'w'), { address: open.address });
    await Promise.all([cp.init(), cp.init(), cp.listLeases()]);
    await cp.close();
    await cp.close();
    await expect(cp.listLeases()).rejects.toBeInstanceOf(LeaseStoreError);
    await expect(cp.init()).rejects.toThrow(/closed/);
  });

  it('after init, a password rotated on the server turns calls into LeaseStoreAuthError (password never shown)', async () => {
    const server = await startRedis({ password: PASSWORD });
    const { logger, lines } = captureLogger();
    const cp = new RedisCheckpoint(testConfig(tableName(), 'w', { logger }), { address: server.address, password: PASSWORD });
    const raw = createClient({ url: server.url });
    raw.on('error', () => undefined);
    try {
      await cp.init();
      await raw.connect();
      await raw.configSet('requirepass', WRONG);
      await raw.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal']); // drops the checkpointer's connection (SKIPME: not raw)
      const deadline = Date.now() + 5_000;
      let error: unknown;
      do {
        error = await rejection(cp.listLeases());
        if (error instanceof LeaseStoreAuthError) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } while (Date.now() < deadline);
      expect(error).toBeInstanceOf(LeaseStoreAuthError);
      expect((error as Error).message).toContain(server.address);
      expectNoSecret(error, lines);
      expect(lines.some((l) => l.startsWith('warn Redis lease store connection lost'))).toBe(true);
    } finally {
      await cp.close();
      await raw.close().catch(() => undefined);
      await server.stop();
    }
  });

  it('after init, a lost server gives fast retryable errors, and the connection comes back by itself', async () => {
    const server = await startRedis();
    const cp = new RedisCheckpoint(testConfig(tableName(), 'w'), { address: server.address, commandTimeoutMillis: 1_000 });
    const shard = createShardStatus('shardId-000000000001');
    await takeOrRenewLease(cp, shard, 'w');
    await server.stop();
    const started = Date.now();
    const error = await rejection(takeOrRenewLease(cp, shard, 'w'));
    expect(error).toBeInstanceOf(LeaseStoreUnavailableError);
    expect((error as Error).message).toContain(server.address);
    expect(Date.now() - started).toBeLessThan(1_500);
    const again = await startRedis({ port: server.port }); // empty: the lease is gone, so take it anew
    try {
      const deadline = Date.now() + 5_000;
      let lease = createShardStatus('shardId-000000000001');
      for (;;) {
        try {
          lease = createShardStatus('shardId-000000000001');
          await takeOrRenewLease(cp, lease, 'w');
          break;
        } catch (retry) {
          expect(retry).toBeInstanceOf(LeaseStoreUnavailableError);
          if (Date.now() > deadline) throw retry;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      expect(lease.assignedTo).toBe('w');
    } finally {
      await cp.close();
      await again.stop();
    }
  });
});

import { createServer } from 'node:net';
import { getFreePort, randomName, startAll, TestbedError, waitForPort } from '../src';

describe('randomName', () => {
  it('makes unique names valid for streams, tables and redis prefixes', () => {
    const names = new Set(Array.from({ length: 200 }, () => randomName('lease')));
    expect(names.size).toBe(200);
    for (const name of names) {
      expect(name).toMatch(/^kcl-test-lease-[0-9a-f]{12}$/);
      expect(name.length).toBeLessThanOrEqual(128);
    }
    expect(randomName()).toMatch(/^kcl-test-x-[0-9a-f]{12}$/);
    expect(randomName('')).toMatch(/^kcl-test-[0-9a-f]{12}$/);
  });

  it('rejects a prefix with characters a stream name cannot hold', () => {
    expect(() => randomName('a b')).toThrow(RangeError);
    expect(() => randomName('x'.repeat(101))).toThrow(RangeError);
  });
});

describe('getFreePort / waitForPort', () => {
  it('returns a loopback port that can be bound, and waitForPort sees a listener', async () => {
    const port = await getFreePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      await expect(waitForPort(port, { timeoutMs: 1000 })).resolves.toBeUndefined();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await expect(waitForPort(port, { timeoutMs: 50 })).rejects.toThrow(/nothing listens on 127\.0\.0\.1:/);
  });

  it('honours max', async () => {
    const port = await getFreePort({ max: 65535 });
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThanOrEqual(65535);
  });
});

describe('startAll', () => {
  it('starts the chosen servers and gives env lines for them only', async () => {
    const servers = await startAll({ servers: ['kinesalite', 'dynalite'] });
    try {
      expect(servers.env.KCL_KINESIS_ENDPOINT).toBe(servers.kinesalite?.endpoint);
      expect(servers.env.KCL_DYNAMODB_ENDPOINT).toBe(servers.dynalite?.endpoint);
      expect(servers.env.KCL_REDIS_URL).toBeUndefined();
      expect(servers.redis).toBeUndefined();
      expect(typeof servers.startupMs.kinesalite).toBe('number');
    } finally {
      await servers.stop();
    }
    await expect(waitForPort(servers.kinesalite?.port ?? 0, { timeoutMs: 0 })).rejects.toThrow();
  });

  it('stops what started and names what failed', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const failure = startAll({ servers: ['kinesalite', 'dynalite'], ports: { dynalite: taken } });
      await expect(failure).rejects.toThrow(TestbedError);
      await expect(failure).rejects.toThrow(/could not start 1 server\(s\):\ndynalite: \[dynamodb\] cannot listen/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('rejects an unknown server name', async () => {
    await expect(startAll({ servers: ['mysql' as never] })).rejects.toThrow(/unknown server "mysql"/);
  });
});

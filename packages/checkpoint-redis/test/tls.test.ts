import { takeOrRenewLease } from '@kcl/core';
import { createShardStatus, LeaseStoreAuthError, LeaseStoreError, LeaseStoreUnavailableError } from '@kcl/core';
import { startRedis, type RedisServerHandle } from '@kcl/testbed';
import { RedisCheckpoint, type RedisCheckpointOptions } from '../src';
import { captureLogger, errorText, rejection, tableName, testConfig } from './helpers';

// A real TLS-only redis-server (throwaway CA, SANs 127.0.0.1 and localhost) with requirepass.

const PASSWORD = 'Tls-S3cret-Pass';
let tlsServer: RedisServerHandle;
let plainServer: RedisServerHandle;

beforeAll(async () => {
  [tlsServer, plainServer] = await Promise.all([startRedis({ password: PASSWORD, tls: true }), startRedis()]);
});
afterAll(async () => {
  await Promise.all([tlsServer?.stop(), plainServer?.stop()]);
});

async function attempt(options: RedisCheckpointOptions): Promise<{ error: unknown; lines: string[]; millis: number }> {
  const { logger, lines } = captureLogger();
  const cp = new RedisCheckpoint(testConfig(tableName(), 'w', { logger }), options);
  const started = Date.now();
  const error = await rejection(takeOrRenewLease(cp, createShardStatus('shardId-000000000001'), 'w'));
  const millis = Date.now() - started;
  await cp.close();
  return { error, lines, millis };
}

it.each<[string, () => RedisCheckpointOptions]>([
  ['rediss:// URL with password and CA', () => ({ address: `rediss://:${PASSWORD}@${tlsServer.address}`, tls: { ca: tlsServer.tlsCa as string } })],
  [
    'host:port with tls settings and password option',
    () => ({ address: tlsServer.address, password: PASSWORD, tls: { ca: tlsServer.tlsCa as string } }),
  ],
  [
    'localhost name checked against the certificate',
    () => ({ address: `rediss://localhost:${tlsServer.port}`, password: PASSWORD, tls: { ca: tlsServer.tlsCa as string } }),
  ],
])('works over TLS with AUTH: %s (password never logged)', async (_name, options) => {
  const { logger, lines } = captureLogger();
  const cp = new RedisCheckpoint(testConfig(tableName(), 'w', { logger }), options());
  const shard = createShardStatus('shardId-000000000001');
  await takeOrRenewLease(cp, shard, 'w');
  shard.checkpoint = '42';
  await cp.checkpointSequence(shard);
  expect((await cp.listLeases()).map((l) => l.checkpoint)).toEqual(['42']);
  await cp.close();
  expect(lines.some((l) => l.includes(`${tlsServer.port}`))).toBe(true);
  expect(lines.join('\n')).not.toContain(PASSWORD);
});

it('an untrusted server certificate fails at once with a TLS error (not retried)', async () => {
  const { error, lines, millis } = await attempt({ address: `rediss://:${PASSWORD}@${tlsServer.address}`, connectTimeoutMillis: 5_000 });
  expect(error).toBeInstanceOf(LeaseStoreError);
  expect((error as Error).message).toMatch(/TLS handshake failed/);
  expect((error as Error).message).toContain(tlsServer.address);
  expect(millis).toBeLessThan(1_500);
  expect(errorText(error)).not.toContain(PASSWORD);
  expect(lines.join('\n')).not.toContain(PASSWORD);
});

it('a wrong password over TLS is a LeaseStoreAuthError', async () => {
  const { error, lines } = await attempt({ address: tlsServer.address, password: 'nope-nope', tls: { ca: tlsServer.tlsCa as string } });
  expect(error).toBeInstanceOf(LeaseStoreAuthError);
  expect(errorText(error)).not.toContain('nope-nope');
  expect(lines.join('\n')).not.toContain('nope-nope');
});

it('rediss:// to a plain server (which never completes the handshake) fails within connectTimeoutMillis', async () => {
  const { error, millis } = await attempt({ address: `rediss://${plainServer.address}`, connectTimeoutMillis: 700 });
  expect(error).toBeInstanceOf(LeaseStoreUnavailableError);
  expect((error as Error).message).toContain(plainServer.address);
  expect(millis).toBeLessThan(2_000);
});

it('plain redis:// to a TLS-only server fails within connectTimeoutMillis', async () => {
  const { error, lines, millis } = await attempt({ address: `redis://:${PASSWORD}@${tlsServer.address}`, connectTimeoutMillis: 700 });
  expect(error).toBeInstanceOf(LeaseStoreUnavailableError);
  expect((error as Error).message).toContain(tlsServer.address);
  expect(millis).toBeLessThan(2_000);
  expect(errorText(error)).not.toContain(PASSWORD);
  expect(lines.join('\n')).not.toContain(PASSWORD);
});

it('tls.rejectUnauthorized: false connects but warns once (at init, not per call); verified TLS does not warn', async () => {
  const { logger, lines } = captureLogger();
  const cp = new RedisCheckpoint(testConfig(tableName(), 'w', { logger }), {
    address: tlsServer.address,
    password: PASSWORD,
    tls: { rejectUnauthorized: false }, // no CA given: only works because verification is off
  });
  try {
    await cp.init();
    await cp.init();
    const shard = createShardStatus('shardId-000000000001');
    await takeOrRenewLease(cp, shard, 'w');
    await takeOrRenewLease(cp, shard, 'w');
    const warnings = lines.filter((l) => l.startsWith('warn ') && l.includes('rejectUnauthorized'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('verification is OFF');
    expect(warnings[0]).toContain(tlsServer.address);
    expect(lines.join('\n')).not.toContain(PASSWORD);
  } finally {
    await cp.close();
  }

  const verified = captureLogger();
  const ok = new RedisCheckpoint(testConfig(tableName(), 'w', { logger: verified.logger }), {
    address: tlsServer.address,
    password: PASSWORD,
    tls: { ca: tlsServer.tlsCa as string },
  });
  try {
    await ok.init();
    expect(verified.lines.filter((l) => l.startsWith('warn '))).toEqual([]);
  } finally {
    await ok.close();
  }
});

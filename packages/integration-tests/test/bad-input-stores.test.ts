/**
 * Bad-input matrix, part 2: lease stores that are unreachable at start or mid-run (through the TCP fault proxy: reset
 * = connection refused/reset, black hole = silent server), a wrong Redis password, missing DynamoDB credentials.
 * Each gives a typed error within a bound, or the documented recovery:
 * - at start: `start()` rejects with LeaseStoreUnavailableError (retryable) after the store client's timeouts; the
 *   worker is back in state `new` and a later `start()` works once the store is reachable;
 * - mid-run: store calls fail (`error` events with LeaseStoreUnavailableError), the leases expire (`leaseLost` reason
 *   `expired`, processors shut down with ZOMBIE) before another worker could take them; once the store is back the worker takes them again and resumes after the last checkpoint - nothing is lost;
 * - wrong password / missing credentials: LeaseStoreAuthError (not retryable) at once, the secret never shown.
 */
import { KinesisClientLibConfig, LeaseStoreAuthError, LeaseStoreUnavailableError, ShutdownReason, createWinstonLogger } from '@kcl/core';
import { RedisCheckpoint } from '@kcl/checkpoint-redis';
import { DynamoCheckpoint } from '@kcl/checkpoint-dynamodb';
import { startDynalite, startRedis, startTcpProxy, waitFor, type LocalServer, type TcpFaultProxy } from '@kcl/testbed';
import type { StoreTarget } from '../src/store-client';
import { KinesisBed, miniWorker, rejectionOf, storeNames, type MiniWorker } from './helpers/mini-run';

let bed: KinesisBed;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  bed = await KinesisBed.start();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(async () => {
  await bed.stop();
});

function specFor(backend: 'dynamodb' | 'redis', address: string): StoreTarget {
  const names = storeNames();
  return backend === 'dynamodb'
    ? { kind: 'dynamodb', endpoint: `http://${address}`, tableName: names.tableName }
    : { kind: 'redis', address, ...names };
}

describe.each(['dynamodb', 'redis'] as const)('%s lease store', (backend) => {
  let server: LocalServer;
  let proxy: TcpFaultProxy;

  beforeAll(async () => {
    server = backend === 'dynamodb' ? await startDynalite() : await startRedis();
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    proxy = await startTcpProxy({ target: { host: server.host, port: server.port } });
    cleanups.push(() => proxy.close());
  });

  function worker(streamName: string): MiniWorker {
    const w = miniWorker({ streamName, kinesisEndpoint: bed.server.endpoint, spec: specFor(backend, proxy.address) });
    cleanups.push(() => w.stop());
    return w;
  }

  test('unreachable at start (connections reset): start() rejects with LeaseStoreUnavailableError in bounded time; a later start() works', async () => {
    const stream = await bed.stream(1);
    await bed.put(stream, ['a', 'b', 'c']);
    const w = worker(stream);
    proxy.reset();
    const { error, millis } = await rejectionOf(w.worker.start());
    expect(error).toBeInstanceOf(LeaseStoreUnavailableError);
    expect((error as LeaseStoreUnavailableError).retryable).toBe(true);
    expect(millis).toBeLessThan(10_000);
    expect(w.worker.state).toBe('new');
    expect(w.recorder.deliveries).toEqual([]);

    proxy.heal();
    await w.worker.start();
    await waitFor(() => w.recorder.deliveries.length === 3, 'the 3 records', 15_000);
    expect(w.recorder.texts()).toEqual(['a', 'b', 'c']);
  });

  test('silent at start (black hole): start() gives up with LeaseStoreUnavailableError within the store timeouts', async () => {
    const stream = await bed.stream(1);
    const w = worker(stream);
    proxy.blackHole();
    const { error, millis } = await rejectionOf(w.worker.start());
    expect(error).toBeInstanceOf(LeaseStoreUnavailableError);
    expect(millis).toBeLessThan(10_000);
    expect(w.worker.state).toBe('new');
    proxy.heal();
  });

  test('unreachable mid-run: leases expire (ZOMBIE) before anyone could take them, come back after the outage, nothing lost', async () => {
    const stream = await bed.stream(1);
    const w = worker(stream);
    await w.worker.start();
    const first = Array.from({ length: 20 }, (_, i) => `one-${i}`);
    await bed.put(stream, first);
    await waitFor(() => w.recorder.deliveries.length >= 20, 'the first 20 records', 15_000);

    proxy.blackHole();
    const outageStart = Date.now();
    await waitFor(() => w.recorder.eventsNamed('leaseLost').length > 0, 'the lease to be given up', 15_000);
    const lost = w.recorder.eventsNamed('leaseLost')[0]!;
    // Given up within the validity window (failover 1500 ms minus the 20 % margin) plus timer slack.
    expect(lost.payload['reason']).toBe('expired');
    expect(lost.at - outageStart).toBeLessThan(1_500 + 1_000);
    await waitFor(() => w.recorder.shutdowns.some((s) => s.reason === ShutdownReason.ZOMBIE), 'shutdown(ZOMBIE)', 15_000);
    // Store calls time out (1 s here) and are reported as typed, retryable errors (e.g. the taker's lease-table reads).
    const storeErrors = () => w.recorder.eventsNamed('error').filter((e) => e.payload['error'] instanceof LeaseStoreUnavailableError);
    await waitFor(() => storeErrors().length > 0, 'an error event with a LeaseStoreUnavailableError', 15_000);
    // Records put during the outage are not delivered: no lease, no delivery.
    const second = Array.from({ length: 20 }, (_, i) => `two-${i}`);
    await bed.put(stream, second);
    const deliveredDuringOutage = w.recorder.deliveries.length;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(w.recorder.deliveries.length).toBe(deliveredDuringOutage);

    proxy.heal();
    await waitFor(() => new Set(w.recorder.texts()).size === 40, 'all 40 records after the outage', 15_000);
    expect(new Set(w.recorder.texts())).toEqual(new Set([...first, ...second]));
    expect(w.recorder.eventsNamed('leaseAcquired').length).toBe(2);
  });
});

describe('credentials', () => {
  test('Redis with a wrong password, or none when one is required: LeaseStoreAuthError at once, the password never shown', async () => {
    const redis = await startRedis({ password: 'right-password' });
    cleanups.push(() => redis.stop());
    const config = new KinesisClientLibConfig('app', 'stream', 'us-east-1', 'w1').withLogger(createWinstonLogger({ level: 'silent' }));
    for (const options of [{ password: 'wrong-password' }, {}]) {
      const checkpointer = new RedisCheckpoint(config, { address: redis.address, connectTimeoutMillis: 5_000, ...options });
      cleanups.push(() => checkpointer.close());
      const { error, millis } = await rejectionOf(checkpointer.init());
      expect(error).toBeInstanceOf(LeaseStoreAuthError);
      expect((error as LeaseStoreAuthError).retryable).toBe(false);
      expect(millis).toBeLessThan(2_000); // not retried for the whole connect timeout
      expect(String((error as Error).message)).not.toContain('wrong-password');
      expect(String((error as Error).message)).not.toContain('right-password');
    }
  });

  test('Redis wrong password through a Worker: start() rejects with LeaseStoreAuthError', async () => {
    const redis = await startRedis({ password: 'right-password' });
    cleanups.push(() => redis.stop());
    const stream = await bed.stream(1);
    const w = miniWorker({
      streamName: stream,
      kinesisEndpoint: bed.server.endpoint,
      spec: { kind: 'redis', address: `redis://:not-it@${redis.address}`, ...storeNames() },
    });
    cleanups.push(() => w.stop());
    const { error } = await rejectionOf(w.worker.start());
    expect(error).toBeInstanceOf(LeaseStoreAuthError);
    expect((error as Error).message).not.toContain('not-it');
  });

  test('DynamoDB without credentials (the provider fails): LeaseStoreAuthError', async () => {
    const dynalite = await startDynalite();
    cleanups.push(() => dynalite.stop());
    const config = new KinesisClientLibConfig('app', 'stream', 'us-east-1', 'w1')
      .withLogger(createWinstonLogger({ level: 'silent' }))
      .withTableName(storeNames().tableName)
      .withDynamoDBEndpoint(dynalite.endpoint)
      .withDynamoDBCredentials(async () => {
        // What the SDK's default provider chain throws on a machine without credentials.
        throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
      });
    const checkpointer = new DynamoCheckpoint(config, { maxAttempts: 1 });
    cleanups.push(() => checkpointer.close());
    const { error } = await rejectionOf(checkpointer.init());
    expect(error).toBeInstanceOf(LeaseStoreAuthError);
  });
});

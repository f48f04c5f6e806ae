// Bad input and broken servers give clear typed errors at init(), naming the address.
import { takeOrRenewLease } from '@kcl/core';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ConfigError, createShardStatus, LeaseStoreAuthError, LeaseStoreError, LeaseStoreUnavailableError, WorkerStateError } from '@kcl/core';
import { getFreePort, localDynamoClient, randomName, startDynalite } from '@kcl/testbed';
import { DynamoCheckpoint } from '../src';
import type { DynamoCheckpointOptions } from '../src';
import { testConfig } from './helpers';

async function initError(endpoint: string, options: DynamoCheckpointOptions = {}, mutate?: (c: ReturnType<typeof testConfig>) => void) {
  const config = testConfig(endpoint);
  mutate?.(config);
  const checkpointer = new DynamoCheckpoint(config, options);
  try {
    await checkpointer.init();
  } catch (error) {
    return error as Error;
  } finally {
    await checkpointer.close();
  }
  throw new Error('init() succeeded');
}

/** A local HTTP server answering every request with `handler` (to produce faults dynalite cannot). */
async function fakeServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ endpoint: string; server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { endpoint: `http://127.0.0.1:${address.port}`, server, hits: () => hits };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

test('unreachable server -> retryable LeaseStoreUnavailableError naming the endpoint', async () => {
  const endpoint = `http://127.0.0.1:${await getFreePort()}`;
  const error = await initError(endpoint, { maxAttempts: 2 });
  expect(error).toBeInstanceOf(LeaseStoreUnavailableError);
  expect(error).toMatchObject({ code: 'LEASE_STORE_UNAVAILABLE', retryable: true });
  expect(error.message).toContain(`Cannot reach DynamoDB at ${endpoint}`);
  expect(error.message).toContain('ECONNREFUSED');
  expect(error.message).toContain('after 2 attempts');
});

test.each([
  ['no scheme', '127.0.0.1:8000', '127.0.0.1:8000'],
  ['missing colon', 'http//127.0.0.1:8000', 'http//127.0.0.1:8000'],
  ['wrong scheme', 'ftp://127.0.0.1:8000', 'ftp://127.0.0.1:8000'],
  ['query string', 'http://127.0.0.1:8000/?a=1', 'http://127.0.0.1:8000/?***'],
])('malformed address (%s) -> ConfigError naming dynamoDBEndpoint and the address', async (_what, address, shown) => {
  // Assigned directly (the config setter would already refuse it): init() checks again.
  const error = await initError('http://127.0.0.1:1', {}, (c) => {
    c.dynamoDBEndpoint = address;
  });
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toMatchObject({ option: 'dynamoDBEndpoint', value: shown });
  expect(error.message).toContain(JSON.stringify(shown));
});

test.each([
  ['a query string', 'http://127.0.0.1:8000/?X-Amz-Security-Token=s3cret'],
  ['a fragment', 'http://127.0.0.1:8000/#s3cret'],
  ['user info with a wrong scheme', 'ftp://user:s3cret@127.0.0.1:8000'],
  ['user info that does not parse', 'http://user:s3cret@127.0.0.1 :8000'],
])('an address with a secret in %s is refused without echoing it', async (_what, address) => {
  const error = await initError('http://127.0.0.1:1', {}, (c) => {
    c.dynamoDBEndpoint = address;
  });
  expect(error).toBeInstanceOf(ConfigError);
  expect(error.message).not.toContain('s3cret');
  expect(JSON.stringify((error as ConfigError).value)).not.toContain('s3cret');
  expect(error.message).toContain('***');
});

test('an address with a password is refused without echoing the password', async () => {
  const error = await initError('http://127.0.0.1:1', {}, (c) => {
    c.dynamoDBEndpoint = 'http://user:s3cret@127.0.0.1:8000';
  });
  expect(error).toBeInstanceOf(ConfigError);
  expect(error.message).not.toContain('s3cret');
});

test('a malformed region -> ConfigError naming regionName', async () => {
  const error = await initError('http://127.0.0.1:1', {}, (c) => {
    c.regionName = 'us east 1';
  });
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toMatchObject({ option: 'regionName' });
});

test('credentials rejected by the server -> LeaseStoreAuthError naming the endpoint', async () => {
  const fake = await fakeServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(
      JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      }),
    );
  });
  try {
    const error = await initError(fake.endpoint);
    expect(error).toBeInstanceOf(LeaseStoreAuthError);
    expect(error).toMatchObject({ retryable: false });
    expect(error.message).toContain(`DynamoDB at ${fake.endpoint}`);
    expect(error.message).toContain('UnrecognizedClientException');
    expect(fake.hits()).toBe(1); // not retried
  } finally {
    await closeServer(fake.server);
  }
});

test('credentials that cannot be loaded -> LeaseStoreAuthError naming the endpoint, before any request', async () => {
  const fake = await fakeServer((_req, res) => {
    res.writeHead(500);
    res.end();
  });
  try {
    const error = await initError(fake.endpoint, {}, (c) => {
      c.withDynamoDBCredentials(async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
      });
    });
    expect(error).toBeInstanceOf(LeaseStoreAuthError);
    expect(error.message).toContain(`No credentials for DynamoDB at ${fake.endpoint}`);
    expect(fake.hits()).toBe(0);
  } finally {
    await closeServer(fake.server);
  }
});

test('a server that is not DynamoDB (HTTP 404 page) -> LeaseStoreError naming the endpoint', async () => {
  const fake = await fakeServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body>Not Found</body></html>');
  });
  try {
    const error = await initError(fake.endpoint);
    expect(error).toBeInstanceOf(LeaseStoreError);
    expect(error.message).toContain(fake.endpoint);
    expect(error.message).toContain('HTTP 404');
  } finally {
    await closeServer(fake.server);
  }
});

test('HTTP 500 on every attempt -> retryable LeaseStoreUnavailableError after maxAttempts', async () => {
  const fake = await fakeServer((_req, res) => {
    res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'boom' }));
  });
  try {
    const error = await initError(fake.endpoint, { maxAttempts: 2 });
    expect(error).toBeInstanceOf(LeaseStoreUnavailableError);
    expect(error.message).toContain(fake.endpoint);
    expect(fake.hits()).toBe(2);
  } finally {
    await closeServer(fake.server);
  }
});

test('a server that never answers -> LeaseStoreUnavailableError after requestTimeoutMillis', async () => {
  const fake = await fakeServer(() => undefined);
  try {
    const started = Date.now();
    const error = await initError(fake.endpoint, { maxAttempts: 1, requestTimeoutMillis: 200 });
    expect(error).toBeInstanceOf(LeaseStoreUnavailableError);
    expect(error.message).toContain(fake.endpoint);
    expect(Date.now() - started).toBeLessThan(5_000);
  } finally {
    await closeServer(fake.server);
  }
});

test('a server that goes away after init(): operations reject with LeaseStoreUnavailableError', async () => {
  const dynalite = await startDynalite();
  const checkpointer = new DynamoCheckpoint(testConfig(dynalite.endpoint), { maxAttempts: 1 });
  try {
    await checkpointer.init();
    await dynalite.stop();
    await expect(takeOrRenewLease(checkpointer, createShardStatus('s-1'), 'worker-a')).rejects.toBeInstanceOf(LeaseStoreUnavailableError);
    await expect(checkpointer.listLeases()).rejects.toThrow(dynalite.endpoint);
  } finally {
    await checkpointer.close();
  }
});

test('calls before init() and withDynamoDB() after init() throw WorkerStateError', async () => {
  const dynalite = await startDynalite();
  const client = localDynamoClient(dynalite.endpoint);
  const checkpointer = new DynamoCheckpoint(testConfig(dynalite.endpoint, { tableName: randomName('state') }));
  try {
    await expect(checkpointer.listLeases()).rejects.toBeInstanceOf(WorkerStateError);
    await expect(checkpointer.getLeaseOwner('s')).rejects.toBeInstanceOf(WorkerStateError);
    await checkpointer.init();
    expect(() => checkpointer.withDynamoDB(client)).toThrow(WorkerStateError);
  } finally {
    await checkpointer.close();
    client.destroy();
    await dynalite.stop();
  }
});

test.each<[DynamoCheckpointOptions, string]>([
  [{ billingMode: 'ON_DEMAND' as never }, 'billingMode'],
  [{ readCapacityUnits: 5 }, 'readCapacityUnits'],
  [{ billingMode: 'PROVISIONED', writeCapacityUnits: 0 }, 'writeCapacityUnits'],
  [{ maxAttempts: 0 }, 'maxAttempts'],
  [{ tableActiveTimeoutMillis: 1.5 }, 'tableActiveTimeoutMillis'],
  [{ scanPageSize: 0 }, 'scanPageSize'],
  [{ createTable: 'yes' as never }, 'createTable'],
  [{ createOwnerIndex: 1 as never }, 'createOwnerIndex'],
  [{ ownerIndexCheckIntervalMillis: 0 }, 'ownerIndexCheckIntervalMillis'],
  [{ reportConsumedCapacity: 'on' as never }, 'reportConsumedCapacity'],
])('invalid option %j -> ConfigError naming %s at construction', (options, option) => {
  let error: unknown;
  try {
    new DynamoCheckpoint(testConfig('http://127.0.0.1:1'), options);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toMatchObject({ option });
});

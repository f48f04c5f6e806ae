/**
 * The set-up block most server tests repeat: start a stand-in before the tests of a file (or of the describe block
 * it is called in), stop it after them ({@link useServer}; {@link useDynalite} with a plain client on it).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoClient } from './clients';
import { startDynalite } from './dynalite';
import { TestbedError } from './errors';

type Hook = (fn: () => Promise<void>, timeoutMillis?: number) => unknown;

function hook(name: 'beforeAll' | 'afterAll'): Hook {
  const fn = (globalThis as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new TestbedError('useServer', `no ${name} global: call useServer in a jest test file`);
  return fn as Hook;
}

/**
 * Registers a beforeAll that runs `start` and an afterAll that stops what it started (jest's globals, at the file's
 * top level or in a describe block). Returns the running server.
 * @param timeoutMillis the beforeAll's timeout. @defaultValue jest's (the file's testTimeout)
 * @returns a getter of the server; it throws a TestbedError when called before the beforeAll ran or after start failed
 */
export function useServer<T extends { stop(): Promise<void> }>(start: () => Promise<T>, timeoutMillis?: number): () => T {
  let server: T | undefined;
  hook('beforeAll')(async () => {
    server = await start();
  }, timeoutMillis);
  hook('afterAll')(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new TestbedError('useServer', 'the server is not running (its beforeAll did not run or failed)');
    return server;
  };
}

/** dynalite for the tests of a file or describe block, from {@link useDynalite}. */
export interface DynaliteForTests {
  /** Its http://127.0.0.1:port endpoint. */
  endpoint(): string;
  /** One plain client on it (made on first use, destroyed after the tests), for raw reads and table set-up. */
  client(): DynamoDBClient;
}

/** {@link useServer} for dynalite, with one plain client on it. */
export function useDynalite(): DynaliteForTests {
  const server = useServer(startDynalite);
  let client: DynamoDBClient | undefined;
  hook('afterAll')(async () => {
    client?.destroy();
    client = undefined;
  });
  return {
    endpoint: () => server().endpoint,
    client: () => (client ??= localDynamoClient(server().endpoint)),
  };
}

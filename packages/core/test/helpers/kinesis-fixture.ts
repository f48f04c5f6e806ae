/** A Kinesis stand-in with one client, started once per test file; shared by the consumer and worker harnesses. */
import type { KinesisClient, KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { localKinesisClient } from '@kcl/testbed';
import type { LocalServer } from '@kcl/testbed';

export interface ServerFixture<S extends LocalServer = LocalServer> {
  server: S;
  kinesis: KinesisClient;
  /** Destroys the client, then stops the server. */
  stop(): Promise<void>;
}

/** Wraps a started server with a client built with `clientOptions`. */
export function serverFixture<S extends LocalServer>(server: S, clientOptions: Partial<KinesisClientConfig> = {}): ServerFixture<S> {
  const kinesis = localKinesisClient(server.endpoint, clientOptions);
  return {
    server,
    kinesis,
    async stop() {
      kinesis.destroy();
      await server.stop();
    },
  };
}

/**
 * Starts a fixture in beforeAll and stops it in afterAll of the calling file (or describe block); the returned object
 * reads the started fixture's `server` and `kinesis` (from beforeAll on).
 */
export function useServerFixture<S extends LocalServer>(start: () => Promise<ServerFixture<S>>): Pick<ServerFixture<S>, 'server' | 'kinesis'> {
  let started: ServerFixture<S> | undefined;
  const get = (): ServerFixture<S> => {
    if (started === undefined) throw new Error('the fixture is not started yet (read it inside a hook or test)');
    return started;
  };
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started?.stop();
  });
  return {
    get server(): S {
      return get().server;
    },
    get kinesis(): KinesisClient {
      return get().kinesis;
    },
  };
}

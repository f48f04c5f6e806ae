/**
 * The hooks every end-to-end file repeats: one Kinesis bed per file, and per lease store (inside
 * `describe.each(LEASE_STORE_NAMES)`) its server for the block; after each test the cleanup steps run, the store's
 * checkpointers close and, when tracked, no unhandled rejection is left over.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createTestStream, type LocalServer } from '@kcl/testbed';
import {
  Cleanup,
  DeliveryLog,
  LeaseStoreServer,
  newNamespace,
  Producer,
  startKinesaliteBed,
  trackUnhandledRejections,
  WorkerEventLog,
  type KinesisBed,
  type LeaseStoreName,
  type StoreNamespace,
} from '../../src';

/** What most tests start with: a fresh stream and lease namespace, logs, and a producer stopped after the test. */
export interface TestStream {
  streamName: string;
  namespace: StoreNamespace;
  log: DeliveryLog;
  events: WorkerEventLog;
  producer: Producer;
}

export interface LeaseStoreBlock {
  store: LeaseStoreServer;
  cleanup: Cleanup;
  /** A new stream of `shardCount` shards on the bed, a new namespace, and a producer on it (not started). */
  newTestStream(shardCount: number): Promise<TestStream>;
}

export interface EndToEndSuite {
  /** The file's bed; its fields may be read from `beforeAll` on. */
  bed: KinesisBed;
  /** Call inside a `describe` block: the store it returns is started for that block. */
  useLeaseStore(storeName: LeaseStoreName): LeaseStoreBlock;
}

export interface EndToEndSuiteOptions {
  /** @defaultValue startKinesaliteBed */
  startBed?: () => Promise<KinesisBed>;
  /** Fail a test that leaves an unhandled rejection behind. @defaultValue true */
  checkRejections?: boolean;
}

/** Registers the file's hooks (call at the top level of a test file). */
export function useEndToEndSuite(options: EndToEndSuiteOptions = {}): EndToEndSuite {
  const rejections = options.checkRejections === false ? undefined : trackUnhandledRejections();
  let started: KinesisBed | undefined;
  const current = (): KinesisBed => {
    if (started === undefined) throw new Error('the Kinesis bed is not started yet (read it inside a hook or test)');
    return started;
  };
  beforeAll(async () => {
    started = await (options.startBed ?? startKinesaliteBed)();
  });
  afterAll(async () => {
    await started?.stop();
    rejections?.dispose();
  });

  const bed: KinesisBed = {
    get server(): LocalServer {
      return current().server;
    },
    get endpoint(): string {
      return current().endpoint;
    },
    get kinesis(): KinesisClient {
      return current().kinesis;
    },
    newClient: () => current().newClient(),
    stop: () => current().stop(),
  };

  const useLeaseStore = (storeName: LeaseStoreName): LeaseStoreBlock => {
    const store = LeaseStoreServer.unstarted(storeName);
    const cleanup = new Cleanup();
    beforeAll(async () => {
      await store.open();
    });
    afterEach(async () => {
      await cleanup.run();
      await store.closeCheckpointers();
      if (rejections) expect(rejections.errors).toEqual([]);
    });
    afterAll(async () => {
      await store.stop();
    });
    const newTestStream = async (shardCount: number): Promise<TestStream> => {
      const streamName = await createTestStream(bed.kinesis, { shardCount });
      const producer = new Producer(bed.kinesis, streamName);
      cleanup.add(() => producer.stop().catch(() => undefined));
      return { streamName, namespace: newNamespace(), log: new DeliveryLog(), events: new WorkerEventLog(), producer };
    };
    return { store, cleanup, newTestStream };
  };

  return { bed, useLeaseStore };
}

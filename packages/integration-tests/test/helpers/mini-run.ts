/**
 * One in-process Worker on kinesalite with a real lease store (optionally behind the TCP fault proxy) and a
 * recording processor, for the bad-input tests (bad-input-*.test.ts).
 */
import { createHash } from 'node:crypto';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import {
  createWinstonLogger,
  InitialPositionInStream,
  KinesisClientLibConfig,
  ShutdownReason,
  Worker,
  type Checkpointer,
  type KinesisClientRecord,
  type RecordProcessor,
  type WorkerEvents,
} from '@kcl/core';
import { createTestStream, localKinesisClient, randomName, startDynalite, startKinesalite, type LocalServer } from '@kcl/testbed';
import { createStoreClient, type StoreClient } from '../../src/store-client';
import type { StoreTarget } from '../../src/store-client';

export interface Delivery {
  shardId: string;
  record: KinesisClientRecord;
  text: string;
}

export interface EventEntry {
  name: keyof WorkerEvents;
  at: number;
  payload: Record<string, unknown>;
}

/** Records every delivery, shutdown and event; checkpoints after every batch (and at shutdown when allowed). */
export class Recorder {
  readonly deliveries: Delivery[] = [];
  readonly shutdowns: Array<{ shardId: string; reason: ShutdownReason }> = [];
  readonly events: EventEntry[] = [];
  /** Set to make processRecords hang (never resolve) for the shards it names. */
  hangOn = new Set<string>();

  factory(): { createProcessor(): RecordProcessor } {
    return {
      createProcessor: () => {
        let shardId = '';
        return {
          initialize: (input) => {
            shardId = input.shardId;
          },
          processRecords: async (input) => {
            if (this.hangOn.has(input.shardId)) return new Promise<void>(() => undefined);
            for (const record of input.records)
              this.deliveries.push({ shardId: input.shardId, record, text: Buffer.from(record.data).toString('utf8') });
            if (input.records.length > 0) await input.checkpointer.checkpoint().catch(() => undefined);
          },
          shutdown: async (input) => {
            this.shutdowns.push({ shardId, reason: input.shutdownReason });
            if (input.shutdownReason !== ShutdownReason.ZOMBIE) await input.checkpointer.checkpoint().catch(() => undefined);
          },
        };
      },
    };
  }

  attach(worker: Worker): void {
    for (const name of ['leaseAcquired', 'leaseLost', 'shardEnded', 'processorError', 'processorStuck', 'error', 'shutdown'] as const) {
      worker.on(name, (payload) => {
        this.events.push({ name, at: Date.now(), payload: payload });
      });
    }
  }

  texts(): string[] {
    return this.deliveries.map((d) => d.text);
  }

  eventsNamed(name: keyof WorkerEvents): EventEntry[] {
    return this.events.filter((e) => e.name === name);
  }
}

export class KinesisBed {
  private constructor(
    readonly server: LocalServer,
    readonly client: KinesisClient,
  ) {}

  static async start(): Promise<KinesisBed> {
    const server = await startKinesalite();
    return new KinesisBed(server, localKinesisClient(server.endpoint));
  }

  async stream(shardCount = 1): Promise<string> {
    return createTestStream(this.client, { shardCount });
  }

  /** Puts plain records with these payloads (one call), in order. */
  async put(streamName: string, payloads: Array<string | Buffer>, partitionKey = 'pk-a'): Promise<void> {
    const out = await this.client.send(
      new PutRecordsCommand({ StreamName: streamName, Records: payloads.map((p) => ({ Data: Buffer.from(p), PartitionKey: partitionKey })) }),
    );
    if ((out.FailedRecordCount ?? 0) > 0) throw new Error('PutRecords failed');
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await this.server.stop();
  }
}

export interface MiniWorker {
  worker: Worker;
  config: KinesisClientLibConfig;
  store: StoreClient;
  recorder: Recorder;
  stop(): Promise<void>;
}

/** Short timings: failover 1500 ms, refresh 300 ms, idle 50 ms, sync 500 ms. */
export function miniConfig(streamName: string, kinesisEndpoint: string, workerId = 'w1'): KinesisClientLibConfig {
  return new KinesisClientLibConfig('kcl-chaos-bad-input', streamName, 'us-east-1', workerId)
    .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
    .withKinesisEndpoint(kinesisEndpoint)
    .withKinesisCredentials({ accessKeyId: 'local', secretAccessKey: 'local' })
    .withFailoverTimeMillis(1_500)
    .withLeaseRefreshPeriodMillis(300)
    .withIdleTimeBetweenReadsInMillis(50)
    .withShardSyncIntervalMillis(500)
    .withTaskBackoffTimeMillis(50)
    .withShutdownGraceMillis(3_000)
    .withLogger(createWinstonLogger({ level: (process.env['CHAOS_LOG_LEVEL'] as 'info' | undefined) ?? 'silent', format: 'simple' }));
}

/** A worker (not started) on `spec`'s store with a recorder attached. */
export function miniWorker(options: {
  streamName: string;
  kinesisEndpoint: string;
  spec: StoreTarget;
  recorder?: Recorder;
  configure?: (config: KinesisClientLibConfig) => void;
  storeTimeoutMillis?: number;
  checkpointer?: (inner: Checkpointer) => Checkpointer;
}): MiniWorker {
  const config = miniConfig(options.streamName, options.kinesisEndpoint);
  options.configure?.(config);
  const store = createStoreClient(options.spec, config, { timeoutMillis: options.storeTimeoutMillis ?? 1_000, dynamoMaxAttempts: 2 });
  const recorder = options.recorder ?? new Recorder();
  const checkpointer = options.checkpointer ? options.checkpointer(store.checkpointer) : store.checkpointer;
  const worker = new Worker(recorder.factory(), config).withCheckpointer(checkpointer);
  recorder.attach(worker);
  return {
    worker,
    config,
    store,
    recorder,
    stop: async () => {
      await worker.shutdown();
      await store.close().catch(() => undefined);
    },
  };
}

/** A partition key whose hash falls into shard `index` of a fresh stream of `shardCount` evenly split shards. */
export function keyForShard(index: number, shardCount: number): string {
  const span = 2n ** 128n / BigInt(shardCount);
  for (let i = 0; ; i++) {
    const key = `pk-${index}-${i}`;
    const hash = BigInt(`0x${createHash('md5').update(key).digest('hex')}`);
    if (hash / span === BigInt(index)) return key;
  }
}

/** Store names for one test. */
export function storeNames(): { tableName: string; keyPrefix: string } {
  return { tableName: randomName('leases'), keyPrefix: randomName('kcl') };
}

/** Measures how long `promise` takes to settle and returns its rejection (fails if it resolved). */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ error: unknown; millis: number }> {
  const started = Date.now();
  try {
    await promise;
  } catch (error) {
    return { error, millis: Date.now() - started };
  }
  throw new Error('expected a rejection');
}

/** What {@link useMiniBed} starts for a test file. */
export interface MiniBed {
  /** kinesalite and its client. */
  readonly bed: KinesisBed;
  /** dynalite (the DynamoDB lease store). */
  readonly dynalite: LocalServer;
  /** Workers pushed here are stopped after each test. */
  readonly workers: MiniWorker[];
}

/**
 * Registers the hooks of a bad-input test file: kinesalite and dynalite for the whole file (beforeAll / afterAll), and
 * every worker pushed to `workers` stopped after each test. The servers are there from the first test on.
 */
export function useMiniBed(): MiniBed {
  let bed: KinesisBed | undefined;
  let dynalite: LocalServer | undefined;
  const workers: MiniWorker[] = [];
  beforeAll(async () => {
    bed = await KinesisBed.start();
    dynalite = await startDynalite();
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop().catch(() => undefined);
  });
  afterAll(async () => {
    await dynalite?.stop();
    await bed?.stop();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started yet (use it inside a test)`);
    return value;
  };
  return {
    get bed() {
      return started(bed, 'kinesalite');
    },
    get dynalite() {
      return started(dynalite, 'dynalite');
    },
    workers,
  };
}

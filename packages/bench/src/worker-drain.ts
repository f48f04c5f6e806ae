import { RedisCheckpoint } from '@kcl/checkpoint-redis';
import {
  InitialPositionInStream,
  KinesisClientLibConfig,
  Worker,
  createWinstonLogger,
  type ProcessRecordsInput,
  type RecordProcessor,
} from '@kcl/core';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '@kcl/testbed';
import type { DrainRun } from './plain-drain';

export interface WorkerDrainRun extends DrainRun {
  /** start() called -> first record delivered to processRecords. */
  coldStartMillis: number;
  /** start() called -> start() resolved (leases taken, consumers running). */
  startResolvedMillis: number;
  /** processRecords calls (one checkpoint each). */
  batches: number;
}

export interface WorkerDrainOptions {
  kinesisEndpoint: string;
  redisAddress: string;
  streamName: string;
  /** Records the stream holds (the run ends when that many were delivered). */
  records: number;
  maxRecords: number;
  /** Lease table name for this run (a fresh one per run: the run starts from TRIM_HORIZON). */
  tableName: string;
  /** Give up after this long. */
  timeoutMillis?: number;
}

/** Short idle wait between reads when caught up (the run ends when the stream is drained, so it hardly matters). */
const IDLE_MILLIS = 100;

/**
 * Drains the stream with one Worker: Redis lease store, TRIM_HORIZON, `maxRecords` per GetRecords, a processor that
 * counts records and checkpoints after every batch. Timed from start() until every record was delivered (and its
 * batch checkpointed); the worker is shut down afterwards, outside the measurement.
 */
export async function drainWithWorker(options: WorkerDrainOptions): Promise<WorkerDrainRun> {
  const config = new KinesisClientLibConfig('kcl-bench', options.streamName, LOCAL_REGION, `bench-${options.tableName}`)
    .withTableName(options.tableName)
    .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
    .withKinesisEndpoint(options.kinesisEndpoint)
    .withKinesisCredentials({ ...LOCAL_CREDENTIALS })
    .withMaxRecords(options.maxRecords)
    .withIdleTimeBetweenReadsInMillis(IDLE_MILLIS)
    .withLogger(createWinstonLogger({ level: 'error' }));
  const checkpointer = new RedisCheckpoint(config, { address: options.redisAddress });

  let records = 0;
  let bytes = 0;
  let batches = 0;
  let firstAt: number | undefined;
  let markDone: (at: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    markDone = resolve;
  });
  const processor = (): RecordProcessor => ({
    initialize: () => undefined,
    processRecords: async (input: ProcessRecordsInput) => {
      if (input.records.length === 0) return;
      firstAt ??= performance.now();
      for (const record of input.records) bytes += record.data.length;
      await input.checkpointer.checkpoint();
      batches++;
      records += input.records.length;
      if (records >= options.records) markDone(performance.now());
    },
    shutdown: () => undefined,
  });

  const worker = new Worker({ createProcessor: processor }, config).withCheckpointer(checkpointer);
  const errors: unknown[] = [];
  worker.on('error', ({ error }) => {
    errors.push(error);
  });
  const timeoutMillis = options.timeoutMillis ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const started = performance.now();
    await worker.start();
    const startResolvedMillis = performance.now() - started;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`worker delivered ${records} of ${options.records} records in ${timeoutMillis} ms; errors: ${errors.map(String).join('; ')}`),
          ),
        timeoutMillis,
      );
    });
    const doneAt = await Promise.race([done, timedOut]);
    return {
      records,
      bytes,
      millis: doneAt - started,
      coldStartMillis: (firstAt ?? doneAt) - started,
      startResolvedMillis,
      batches,
    };
  } finally {
    if (timer) clearTimeout(timer);
    await worker.shutdown(); // also closes the checkpointer
  }
}

import { DynamoCheckpoint } from '@kcl/checkpoint-dynamodb';
import { RedisCheckpoint } from '@kcl/checkpoint-redis';
import { InitialPositionInStream, KinesisClientLibConfig, Worker, createWinstonLogger, type Checkpointer } from '@kcl/core';
import { createTestStream, localKinesisClient, startDynalite, startKinesalite, startRedis, type LocalServer } from '@kcl/testbed';
import type { DemoOptions } from './args';
import { DashboardPrinter, type DashboardState } from './dashboard';
import { DemoProcessor } from './demo-processor';
import { Ledger, type DemoSummary } from './ledger';
import { produce } from './producer';

const APPLICATION = 'kcl-demo';

/** Runs the whole demo and returns its summary. Everything it starts is stopped before it returns. */
export async function runDemo(options: DemoOptions, out: NodeJS.WriteStream = process.stdout): Promise<DemoSummary> {
  const servers: LocalServer[] = [];
  const controller = new AbortController();
  const logger = createWinstonLogger(process.env.KCL_LOG_LEVEL ? {} : { level: 'error' });
  const ledger = new Ledger(options.records);
  const workers: { id: string; worker: Worker; running: boolean }[] = [];
  const printer = options.json ? undefined : new DashboardPrinter(out);
  const state: DashboardState = {
    ledger,
    target: options.records,
    backend: options.backend,
    workers,
    note: 'starting local stand-ins...',
    startedAt: Date.now(),
  };
  let ticker: NodeJS.Timeout | undefined;
  let stoppedWorker: string | undefined;
  let firstRecordMillis: number | undefined;
  try {
    const kinesis = await startKinesalite({ shardLimit: Math.max(100, options.shards * 2) });
    servers.push(kinesis);
    const store = options.backend === 'redis' ? await startRedis() : await startDynalite();
    servers.push(store);
    const client = localKinesisClient(kinesis.endpoint);
    const streamName = await createTestStream(client, { shardCount: options.shards, name: `kcl-demo-${Date.now().toString(36)}` });
    for (let i = 0; i < options.shards; i++) ledger.shard(`shardId-${String(i).padStart(12, '0')}`);

    ticker = setInterval(() => printer?.draw(state), 250);
    state.note = 'starting workers...';
    const startAt = Date.now();
    for (let i = 0; i < options.workers; i++) {
      const id = `worker-${i + 1}`;
      const config = new KinesisClientLibConfig(APPLICATION, streamName, 'us-east-1', id)
        .withInitialPositionInStream(InitialPositionInStream.TRIM_HORIZON)
        .withKinesisEndpoint(kinesis.endpoint)
        .withCredentials({ accessKeyId: 'local', secretAccessKey: 'local' })
        .withTableName(`${APPLICATION}-${streamName}`)
        .withFailoverTimeMillis(3_000)
        .withLeaseRefreshPeriodMillis(1_000)
        .withIdleTimeBetweenReadsInMillis(200)
        .withShardSyncIntervalMillis(5_000)
        .withLeaseStealing(true)
        .withLeaseStealingIntervalMillis(1_000)
        .withLogger(logger);
      if (options.backend === 'dynamodb') config.withDynamoDBEndpoint(store.endpoint);
      const checkpointer: Checkpointer =
        options.backend === 'redis'
          ? new RedisCheckpoint(config, { address: (store as { address?: string }).address ?? `${store.host}:${store.port}` })
          : new DynamoCheckpoint(config);
      const worker = new Worker({ createProcessor: () => new DemoProcessor(ledger) }, config)
        .withKinesis(localKinesisClient(kinesis.endpoint))
        .withCheckpointer(checkpointer);
      worker.on('leaseAcquired', ({ shardId }) => ledger.leaseAcquired(shardId, id));
      worker.on('leaseLost', ({ shardId }) => ledger.leaseReleased(shardId, id));
      workers.push({ id, worker, running: false });
    }
    await Promise.all(
      workers.map(async (w) => {
        await w.worker.start();
        w.running = true;
      }),
    );

    state.note = 'producing records; workers consuming...';
    let producerDone = false;
    const producer = produce({
      client,
      streamName,
      records: options.records,
      batchSize: 500,
      pauseMillis: Math.min(200, Math.max(0, Math.floor(8_000 / Math.ceil(options.records / 500)))),
      onProduced: (n) => (ledger.produced += n),
      signal: controller.signal,
    }).then(() => {
      producerDone = true;
    });

    const deadline = Date.now() + options.timeoutSeconds * 1000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      if (firstRecordMillis === undefined && ledger.firstDeliveryAt !== undefined) firstRecordMillis = ledger.firstDeliveryAt - startAt;
      if (!stoppedWorker && workers.length >= 2 && ledger.consumed >= options.records / 2) {
        const leaving = workers[0]!;
        stoppedWorker = leaving.id;
        state.note = `${leaving.id} is shutting down gracefully: it checkpoints and releases its leases...`;
        await leaving.worker.shutdown();
        leaving.running = false;
        for (const view of ledger.shardViews()) ledger.leaseReleased(view.shardId, leaving.id);
        state.note = `${leaving.id} left; its shards moved to the other workers`;
      }
      if (producerDone && ledger.consumed >= ledger.produced) break;
    }
    controller.abort();
    await producer.catch(() => undefined);
    state.note = ledger.consumed >= options.records ? 'all records consumed; shutting down' : 'timed out; shutting down';
    await Promise.all(
      workers
        .filter((w) => w.running)
        .map(async (w) => {
          await w.worker.shutdown();
          w.running = false;
        }),
    );
    printer?.draw(state);
  } finally {
    if (ticker) clearInterval(ticker);
    controller.abort();
    await Promise.all(workers.map((w) => w.worker.shutdown().catch(() => undefined)));
    for (const server of servers.reverse()) await server.stop().catch(() => undefined);
  }
  const lost = options.records - ledger.consumed;
  const elapsedMillis = (ledger.lastDeliveryAt ?? Date.now()) - state.startedAt;
  return {
    produced: ledger.produced,
    consumed: ledger.consumed,
    duplicates: ledger.deliveries - ledger.consumed,
    lost: Math.max(lost, ledger.lostCount()),
    deliveries: ledger.deliveries,
    outOfOrder: ledger.outOfOrder,
    shards: options.shards,
    workers: options.workers,
    backend: options.backend,
    leaseMoves: ledger.leaseMoves,
    stoppedWorker,
    elapsedMillis,
    recordsPerSecond: elapsedMillis > 0 ? Math.round((ledger.consumed / elapsedMillis) * 1000) : 0,
    firstRecordMillis,
  };
}

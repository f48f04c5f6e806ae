/**
 * Which GetRecords path a worker's polling consumers take: the lean one for a Kinesis client the worker built itself
 * (seen by `onKinesisClient`), the SDK's `send` with `leanGetRecords: false` and always for an injected client.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { LOCAL_CREDENTIALS } from '@kcl/testbed';
import type { ProcessRecordsInput } from '../src/processor/record-processor';
import { InMemoryCheckpointer, InMemoryLeaseTable } from '../src/testing';
import { Worker } from '../src/worker/worker';
import type { WorkerOptions } from '../src/worker/worker-options';
import { payloads, putRecords, text } from './helpers/consumer-kinesis';
import { createTestStream, TestProcessor, TestProcessorFactory, waitFor, workerConfig } from './helpers/worker-harness';
import { useServerFixture } from './helpers/kinesis-fixture';
import { startKinesaliteFixture } from './helpers/worker-harness';

const fx = useServerFixture(startKinesaliteFixture);
const running: Worker[] = [];
afterEach(async () => {
  for (const w of running.splice(0)) await w.shutdown();
});

/** Adds middleware counting the SDK calls of `client` per command. */
function countSdkCalls(client: KinesisClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = String(context.commandName);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'count-sdk-calls' },
  );
  return counts;
}

async function runWorker(options: WorkerOptions, inject?: KinesisClient): Promise<{ delivered: string[]; clients: KinesisClient[] }> {
  const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
  await putRecords(fx.kinesis, stream, payloads(20));
  const config = workerConfig(stream, 'w1')
    .withKinesisEndpoint(fx.server.endpoint)
    .withKinesisCredentials({ ...LOCAL_CREDENTIALS });
  const delivered: string[] = [];
  const factory = new TestProcessorFactory(
    () => new TestProcessor((input: ProcessRecordsInput) => void delivered.push(...input.records.map((r) => text(r.data)))),
  );
  const clients: KinesisClient[] = [];
  const worker = new Worker(factory, config, {
    ...options,
    onKinesisClient: (client) => {
      clients.push(client);
      options.onKinesisClient?.(client);
    },
  }).withCheckpointer(new InMemoryCheckpointer(new InMemoryLeaseTable(), { workerId: 'w1', failoverTimeMillis: config.failoverTimeMillis }));
  if (inject !== undefined) worker.withKinesis(inject);
  running.push(worker);
  await worker.start();
  await waitFor(() => delivered.length >= 20, '20 records');
  // A few idle polls more.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { delivered, clients };
}

describe('GetRecords path of the polling consumers', () => {
  let counts = new Map<string, number>();
  const count = (client: KinesisClient): void => {
    counts = countSdkCalls(client);
  };

  test('a worker-built client: onKinesisClient sees it; GetRecords bypass its middleware (lean path), the rest does not', async () => {
    const { delivered, clients } = await runWorker({ onKinesisClient: count });
    expect(clients).toHaveLength(1);
    expect([...delivered].sort()).toEqual(payloads(20).sort());
    expect(counts.get('ListShardsCommand')).toBeGreaterThan(0);
    expect(counts.get('GetShardIteratorCommand')).toBe(2);
    expect(counts.get('GetRecordsCommand')).toBeUndefined();
  });

  test('leanGetRecords: false sends GetRecords through the SDK', async () => {
    const { delivered } = await runWorker({ onKinesisClient: count, leanGetRecords: false });
    expect(delivered).toHaveLength(20);
    expect(counts.get('GetRecordsCommand')).toBeGreaterThan(2);
  });

  test('an injected client: no onKinesisClient call, GetRecords through its send', async () => {
    const injected = fx.kinesis;
    const injectedCounts = countSdkCalls(injected);
    try {
      const { delivered, clients } = await runWorker({}, injected);
      expect(clients).toHaveLength(0);
      expect(delivered).toHaveLength(20);
      expect(injectedCounts.get('GetRecordsCommand')).toBeGreaterThan(2);
    } finally {
      injected.middlewareStack.remove('count-sdk-calls');
    }
  });
});

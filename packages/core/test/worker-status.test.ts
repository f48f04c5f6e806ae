/**
 * worker.status() and the periodic status line: per held lease the checkpoint, MillisBehindLatest, records/s, last
 * batch time, stuck and failing flags; lease-store health from the worker's own calls. Kinesalite + in-memory store.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { RecordProcessor } from '../src/processor/record-processor';
import type { WorkerStatus } from '../src/worker/worker-status';
import { statusLineFields, statusLineMessage } from '../src/worker/status-log';
import { createTestStream, InMemoryLeaseTable, makeWorker, waitFor, workerConfig, useKinesaliteFixture } from './helpers/worker-harness';

const kinesalite = useKinesaliteFixture();

async function putRecords(stream: string, count: number): Promise<void> {
  const Records = Array.from({ length: count }, (_, i) => ({ Data: Buffer.from(`r${i}`), PartitionKey: `pk-${i}` }));
  await kinesalite.fx.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records }));
}

function lease(status: WorkerStatus, shardId: string): WorkerStatus['leases'][number] {
  const found = status.leases.find((l) => l.shardId === shardId);
  if (!found) throw new Error(`no lease ${shardId} in status ${JSON.stringify(status)}`);
  return found;
}

test('status() before start, while running (checkpoint, lag, rate, last batch) and after shutdown', async () => {
  const stream = await createTestStream(kinesalite.fx.kinesis, { shardCount: 2 });
  await putRecords(stream, 40);
  let processed = 0;
  const processor: RecordProcessor = {
    processRecords: async (input) => {
      processed += input.records.length;
      await input.checkpointer.checkpoint();
    },
  };
  const config = workerConfig(stream, 'w-status').withStatusLogIntervalMillis(0);
  const w = makeWorker(new InMemoryLeaseTable(), kinesalite.fx.kinesis, config, { factory: { createProcessor: () => processor } as never });

  const before = w.worker.status();
  expect(before).toMatchObject({ workerId: 'w-status', state: 'new', leader: false, leases: [] });
  expect(before.leaseStore).toEqual({ healthy: true, lastError: undefined, lastSuccessAt: undefined });

  await w.worker.start();
  await waitFor(() => processed >= 40, 'all records', 10_000);
  await waitFor(() => w.worker.status().leases.every((l) => l.millisBehindLatest !== undefined && l.checkpoint !== undefined), 'lag and checkpoints');
  const status = w.worker.status();
  expect(status.state).toBe('running');
  expect(status.leader).toBe(true);
  expect(status.leases.map((l) => l.shardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
  for (const l of status.leases) {
    expect(l.checkpoint).toMatch(/^\d+$/);
    expect(l.millisBehindLatest).toBeGreaterThanOrEqual(0);
    expect(l.lastBatchAt).toBeInstanceOf(Date);
    expect(l).toMatchObject({ stuck: false, failing: false, failedAttempts: 0, stuckOperation: undefined });
  }
  expect(status.leases.reduce((sum, l) => sum + l.recordsPerSecond, 0)).toBeGreaterThan(0);
  expect(status.leaseStore.healthy).toBe(true);
  expect(status.leaseStore.lastSuccessAt).toBeInstanceOf(Date);
  expect(JSON.parse(JSON.stringify(status))).toMatchObject({ workerId: 'w-status' });

  await w.worker.shutdown();
  expect(w.worker.status()).toMatchObject({ state: 'stopped', leader: false, leases: [] });
});

test('stuck and failing flags follow the processor; they clear once it returns or succeeds', async () => {
  const stream = await createTestStream(kinesalite.fx.kinesis, { shardCount: 1 });
  await putRecords(stream, 1);
  let release: (() => void) | undefined;
  let calls = 0;
  const processor: RecordProcessor = {
    processRecords: async (input) => {
      if (input.records.length === 0) return;
      calls += 1;
      if (calls === 1) {
        await new Promise<void>((resolve) => (release = resolve));
        return;
      }
      if (calls <= 4) throw new Error('simulated processor failure');
      await input.checkpointer.checkpoint();
    },
  };
  const config = workerConfig(stream, 'w-stuck').withLogWarningForTaskAfterMillis(200).withStatusLogIntervalMillis(0).withTaskBackoffTimeMillis(300);
  const w = makeWorker(new InMemoryLeaseTable(), kinesalite.fx.kinesis, config, { factory: { createProcessor: () => processor } as never });
  await w.worker.start();
  const shard = 'shardId-000000000000';

  await waitFor(() => w.worker.status().leases[0]?.stuck === true, 'stuck flag', 5_000);
  expect(lease(w.worker.status(), shard)).toMatchObject({ stuck: true, stuckOperation: 'processRecords', failing: false });
  await putRecords(stream, 1);
  release?.();
  await waitFor(() => lease(w.worker.status(), shard).failing, 'failing flag', 5_000);
  expect(lease(w.worker.status(), shard)).toMatchObject({ stuck: false, failing: true });
  expect(lease(w.worker.status(), shard).failedAttempts).toBeGreaterThanOrEqual(1);
  await waitFor(() => calls >= 5, 'the call that succeeds', 10_000);
  await waitFor(() => !lease(w.worker.status(), shard).failing, 'failing cleared', 5_000);
  expect(lease(w.worker.status(), shard).failedAttempts).toBe(0);
  await w.worker.shutdown();
});

test('lease-store health turns false with the error of a failing store call and back to true once it answers', async () => {
  const stream = await createTestStream(kinesalite.fx.kinesis, { shardCount: 1 });
  const config = workerConfig(stream, 'w-store', { grace: 1_000 }).withStatusLogIntervalMillis(0);
  const w = makeWorker(new InMemoryLeaseTable(), kinesalite.fx.kinesis, config);
  await w.worker.start();
  w.store.fault = 'unavailable';
  await waitFor(() => !w.worker.status().leaseStore.healthy, 'unhealthy store', 5_000);
  const { lastError } = w.worker.status().leaseStore;
  expect(lastError).toMatchObject({ code: 'LEASE_STORE_UNAVAILABLE', message: 'simulated: store unavailable for this worker' });
  expect(lastError?.at).toBeInstanceOf(Date);
  expect(typeof lastError?.operation).toBe('string');
  w.store.heal();
  await waitFor(() => w.worker.status().leaseStore.healthy, 'healthy store again', 5_000);
  expect(w.worker.status().leaseStore.lastError?.code).toBe('LEASE_STORE_UNAVAILABLE');
  await w.worker.shutdown();
});

test('the status line is logged at info every statusLogIntervalMillis with leases, records/s, max lag and stuck shards', async () => {
  const stream = await createTestStream(kinesalite.fx.kinesis, { shardCount: 2 });
  await putRecords(stream, 10);
  const config = workerConfig(stream, 'w-line').withStatusLogIntervalMillis(200);
  const w = makeWorker(new InMemoryLeaseTable(), kinesalite.fx.kinesis, config);
  await w.worker.start();
  const lines = (): string[] =>
    w.logger
      .at('info')
      .map((l) => l.message)
      .filter((m) => m.startsWith('worker status:'));
  await waitFor(() => lines().length >= 2 && lines().some((m) => /max lag \d+ ms/.test(m)), 'two status lines with a lag', 5_000);
  expect(lines().at(-1)).toMatch(/^worker status: 2 leases held, [\d.]+ records\/s, max lag \d+ ms, stuck shards: none$/);
  const fields = w.logger.at('info').find((l) => l.message.startsWith('worker status:'))?.fields;
  expect(fields).toMatchObject({ leasesHeld: 2, stuckShards: [], failingShards: [], leaseStoreHealthy: true });
  await w.worker.shutdown();
  const count = lines().length;
  await new Promise((r) => setTimeout(r, 500));
  expect(lines().length).toBe(count);
});

test('statusLogIntervalMillis 0 logs no status line', async () => {
  const stream = await createTestStream(kinesalite.fx.kinesis, { shardCount: 1 });
  const config = workerConfig(stream, 'w-quiet').withStatusLogIntervalMillis(0);
  const w = makeWorker(new InMemoryLeaseTable(), kinesalite.fx.kinesis, config);
  await w.worker.start();
  await new Promise((r) => setTimeout(r, 400));
  await w.worker.shutdown();
  expect(w.logger.at('info').some((l) => l.message.startsWith('worker status:'))).toBe(false);
});

test('the status line names stuck and failing shards and an unhealthy lease store', () => {
  const lease = (shardId: string, over: Partial<WorkerStatus['leases'][number]>): WorkerStatus['leases'][number] => ({
    shardId,
    checkpoint: undefined,
    subSequenceNumber: undefined,
    millisBehindLatest: undefined,
    recordsPerSecond: 0,
    lastBatchAt: undefined,
    stuck: false,
    stuckOperation: undefined,
    failing: false,
    failedAttempts: 0,
    handoffRequested: false,
    ...over,
  });
  const status: WorkerStatus = {
    workerId: 'w',
    state: 'running',
    leader: false,
    leaseStore: { healthy: false, lastError: undefined, lastSuccessAt: undefined },
    leases: [
      lease('s-1', { stuck: true, stuckOperation: 'processRecords', millisBehindLatest: 1_500, recordsPerSecond: 1.25 }),
      lease('s-2', { failing: true, failedAttempts: 3, millisBehindLatest: 200, recordsPerSecond: 2 }),
      lease('s-3', {}),
    ],
  };
  const fields = statusLineFields(status);
  expect(fields).toEqual({
    leasesHeld: 3,
    recordsPerSecond: 3.25,
    maxMillisBehindLatest: 1_500,
    stuckShards: ['s-1'],
    failingShards: ['s-2'],
    leaseStoreHealthy: false,
  });
  expect(statusLineMessage(fields)).toBe(
    'worker status: 3 leases held, 3.25 records/s, max lag 1500 ms, stuck shards: s-1, failing shards: s-2, lease store unhealthy',
  );
  expect(statusLineMessage(statusLineFields({ ...status, leaseStore: { ...status.leaseStore, healthy: true }, leases: [] }))).toBe(
    'worker status: 0 leases held, 0 records/s, max lag unknown, stuck shards: none',
  );
});

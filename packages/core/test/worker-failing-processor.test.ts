/**
 * Worker-level handling of a processor that keeps failing or never returns: the `processorFailing` and `batchSkipped`
 * events, the `releaseLease` policy (leaseLost reason `failing`, the shard is taken again), and
 * `maxProcessingTimeMillis` (leaseLost reason `stuck`, another worker takes the shard over, the stuck processor gets
 * shutdown(ZOMBIE) when its call returns and cannot checkpoint).
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { LeaseLostError } from '../src/errors';
import type { ProcessRecordsInput, RecordProcessor, ShutdownInput } from '../src/processor/record-processor';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import type { Worker } from '../src/worker/worker';
import type { WorkerEvents } from '../src/worker/worker-events';
import { createTestStream, InMemoryLeaseTable, makeWorker, waitFor, workerConfig } from './helpers/worker-harness';
import { useWorkerSuite } from './helpers/worker-suite';

const suite = useWorkerSuite();

async function streamWithRecords(count: number): Promise<string> {
  const stream = await createTestStream(suite.fx.kinesis, { shardCount: 1 });
  const Records = Array.from({ length: count }, (_, i) => ({ Data: Buffer.from(`r-${i}`), PartitionKey: 'pk' }));
  await suite.fx.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records }));
  return stream;
}

/** A processor whose processRecords runs `onRecords`; records what it saw. */
class ScriptedProcessor implements RecordProcessor {
  readonly shutdowns: ShutdownReason[] = [];
  processed = 0;
  zombieCheckpointError: unknown;
  constructor(private readonly onRecords: (input: ProcessRecordsInput) => void | Promise<void>) {}
  initialize(): void {}
  async processRecords(input: ProcessRecordsInput): Promise<void> {
    await this.onRecords(input);
    this.processed += input.records.length;
  }
  async shutdown(input: ShutdownInput): Promise<void> {
    this.shutdowns.push(input.shutdownReason);
    if (input.shutdownReason === ShutdownReason.ZOMBIE) {
      this.zombieCheckpointError = await input.checkpointer.checkpoint().then(
        () => 'written',
        (error: unknown) => error,
      );
    }
  }
}

function collect<K extends keyof WorkerEvents>(worker: Worker, name: K): WorkerEvents[K][] {
  const seen: WorkerEvents[K][] = [];
  worker.on(name, (e) => {
    seen.push(e);
  });
  return seen;
}

test('skip policy: the worker emits processorFailing and batchSkipped (with the records), and goes on', async () => {
  const stream = await streamWithRecords(2);
  const config = workerConfig(stream, 'w1').withTaskBackoffTimeMillis(1).withProcessorFailurePolicy({ action: 'skip', maxAttempts: 4 });
  const processor = new ScriptedProcessor(() => {
    throw new Error('poison');
  });
  const w = makeWorker(new InMemoryLeaseTable(), suite.fx.kinesis, config, { factory: { createProcessor: () => processor } as never });
  suite.workers.push(w);
  const failing = collect(w.worker, 'processorFailing');
  const skipped = collect(w.worker, 'batchSkipped');
  await w.worker.start();
  await waitFor(() => skipped.length === 1, 'the skipped batch');

  expect(failing.map((e) => [e.shardId, e.operation, e.attempts])).toEqual([
    ['shardId-000000000000', 'processRecords', 1],
    ['shardId-000000000000', 'processRecords', 2],
    ['shardId-000000000000', 'processRecords', 4],
  ]);
  expect(failing[2]!.retryInMillis).toBe(0); // the policy acts instead of a retry
  expect(skipped[0]!.shardId).toBe('shardId-000000000000');
  expect(skipped[0]!.attempts).toBe(4);
  expect(skipped[0]!.records.map((r) => Buffer.from(r.data).toString())).toEqual(['r-0', 'r-1']);
  expect(w.worker.heldShards()).toEqual(['shardId-000000000000']);
});

test('releaseLease policy: leaseLost reason "failing", the processor got REQUESTED, and the shard is taken again', async () => {
  const stream = await streamWithRecords(1);
  const config = workerConfig(stream, 'w1').withTaskBackoffTimeMillis(1).withProcessorFailurePolicy({ action: 'releaseLease', maxAttempts: 2 });
  const processors: ScriptedProcessor[] = [];
  const factory = {
    createProcessor: () => {
      const first = processors.length === 0;
      const p = new ScriptedProcessor(() => {
        if (first) throw new Error('fails on this processor only');
      });
      processors.push(p);
      return p;
    },
  };
  const w = makeWorker(new InMemoryLeaseTable(), suite.fx.kinesis, config, { factory: factory as never });
  suite.workers.push(w);
  const lost = collect(w.worker, 'leaseLost');
  await w.worker.start();
  await waitFor(() => processors.length === 2 && processors[1]!.processed === 1, 'the record processed after the lease came back');

  expect(lost.map((e) => [e.shardId, e.reason])).toEqual([['shardId-000000000000', 'failing']]);
  expect(processors[0]!.shutdowns).toEqual([ShutdownReason.REQUESTED]);
  expect(processors[0]!.processed).toBe(0);
});

test('maxProcessingTimeMillis: leaseLost reason "stuck", another worker takes over, the stuck processor gets ZOMBIE', async () => {
  const stream = await streamWithRecords(1);
  const table = new InMemoryLeaseTable();
  let release!: () => void;
  const hanging = new Promise<void>((resolve) => (release = resolve));
  const stuck = new ScriptedProcessor(() => hanging);
  let created = 0;
  const w1 = makeWorker(table, suite.fx.kinesis, workerConfig(stream, 'w1').withMaxProcessingTimeMillis(300), {
    factory: {
      createProcessor: () => {
        created += 1;
        return stuck;
      },
    } as never,
  });
  suite.workers.push(w1);
  const lost = collect(w1.worker, 'leaseLost');
  await w1.worker.start();
  await waitFor(() => lost.length === 1, 'the lease given up');
  expect(lost[0]).toEqual({ shardId: 'shardId-000000000000', reason: 'stuck' });
  expect(w1.worker.heldShards()).toEqual([]);

  const healthy = new ScriptedProcessor(() => undefined);
  const w2 = makeWorker(table, suite.fx.kinesis, workerConfig(stream, 'w2'), { factory: { createProcessor: () => healthy } as never });
  suite.workers.push(w2);
  await w2.worker.start();
  await waitFor(() => healthy.processed === 1, 'the second worker processing the shard');
  expect(w2.worker.heldShards()).toEqual(['shardId-000000000000']);
  expect(created).toBe(1); // w1 did not take the shard again while its call was running

  release();
  await waitFor(() => stuck.shutdowns.length === 1, 'the stuck processor shut down');
  expect(stuck.shutdowns).toEqual([ShutdownReason.ZOMBIE]);
  expect(stuck.zombieCheckpointError).toBeInstanceOf(LeaseLostError);
});

/**
 * A record processor call that never returns: the worker reports it (warning, `processorStuck` event, optional
 * `processorStuck` metric) after `logWarningForTaskAfterMillis` and again each time that much more passes; the call is
 * not interrupted, the lease stays held, and shutdown() still ends within `shutdownGraceMillis` (the lease is left to
 * expire). Found missing by the bad-input matrix (packages/integration-tests/test/bad-input-*.test.ts).
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { RecordingMonitoringService } from '../src/testing';
import type { RecordProcessor } from '../src/processor/record-processor';
import type { WorkerEvents } from '../src/worker/worker-events';
import { ConfigError } from '../src/errors';
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import {
  createTestStream,
  InMemoryLeaseTable,
  makeWorker,
  startKinesaliteFixture,
  waitFor,
  workerConfig,
  type KinesaliteFixture,
} from './helpers/worker-harness';

let fx: KinesaliteFixture;

beforeAll(async () => {
  fx = await startKinesaliteFixture();
});
afterAll(async () => {
  await fx.stop();
});

test('a processRecords that never returns is reported as stuck repeatedly; shutdown() stays bounded', async () => {
  const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
  await fx.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: [{ Data: Buffer.from('x'), PartitionKey: 'pk' }] }));
  const metrics = new RecordingMonitoringService();
  const config = workerConfig(stream, 'w1', { grace: 1_000 }).withLogWarningForTaskAfterMillis(300).withMonitoringService(metrics);
  let calls = 0;
  const hanging: RecordProcessor = {
    initialize: () => undefined,
    processRecords: () => {
      calls += 1;
      return new Promise<void>(() => undefined);
    },
    shutdown: () => undefined,
  };
  const w = makeWorker(new InMemoryLeaseTable(), fx.kinesis, config, { factory: { createProcessor: () => hanging } as never });
  const stuck: Array<WorkerEvents['processorStuck'] & { at: number }> = [];
  w.worker.on('processorStuck', (e) => {
    stuck.push({ ...e, at: Date.now() });
  });
  await w.worker.start();
  await waitFor(() => stuck.length >= 3, 'three stuck reports', 5_000);

  expect(calls).toBe(1);
  expect(stuck.map((e) => [e.shardId, e.operation])).toEqual(Array(stuck.length).fill(['shardId-000000000000', 'processRecords']));
  const millis = stuck.map((e) => e.millis);
  expect(millis[0]).toBeGreaterThanOrEqual(295);
  expect(millis[1]! - millis[0]!).toBeGreaterThanOrEqual(250);
  expect(metrics.argsOf('processorStuck').length).toBeGreaterThanOrEqual(3);
  expect(metrics.argsOf('processorStuck')[0]![0]).toBe('shardId-000000000000');
  expect(w.logger.at('warn').some((l) => /processRecords\(\) has not returned after \d+ ms/.test(l.message))).toBe(true);
  expect(w.worker.heldShards()).toEqual(['shardId-000000000000']);

  const started = Date.now();
  await w.worker.shutdown();
  expect(Date.now() - started).toBeLessThan(1_000 + 1_000);
  const count = stuck.length;
  await new Promise((r) => setTimeout(r, 700));
  expect(stuck.length).toBe(count); // the abandoned lease ends the reports
});

test('a processor that returns in time is never reported; the option is validated', async () => {
  expect(() => new KinesisClientLibConfig('a', 's', 'us-east-1').withLogWarningForTaskAfterMillis(0)).toThrow(ConfigError);
  expect(new KinesisClientLibConfig('a', 's', 'us-east-1').logWarningForTaskAfterMillis).toBe(60_000);
  const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
  await fx.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: [{ Data: Buffer.from('x'), PartitionKey: 'pk' }] }));
  const config = workerConfig(stream, 'w1').withLogWarningForTaskAfterMillis(200);
  let delivered = 0;
  const slowButFine: RecordProcessor = {
    initialize: () => undefined,
    processRecords: async () => {
      await new Promise((r) => setTimeout(r, 100));
      delivered += 1;
    },
    shutdown: () => undefined,
  };
  const w = makeWorker(new InMemoryLeaseTable(), fx.kinesis, config, { factory: { createProcessor: () => slowButFine } as never });
  let stuck = 0;
  w.worker.on('processorStuck', () => {
    stuck += 1;
  });
  await w.worker.start();
  await waitFor(() => delivered >= 1, 'the record', 5_000);
  await new Promise((r) => setTimeout(r, 400));
  await w.worker.shutdown();
  expect(stuck).toBe(0);
});

/**
 * Bad-input matrix, part 4: a record processor that never returns. The call cannot be interrupted, so the engine
 * makes it visible and keeps everything else bounded (documented on `logWarningForTaskAfterMillis`):
 * - a warning, the `processorStuck` worker event and the MonitoringService's `processorStuck` metric after
 *   `logWarningForTaskAfterMillis`, repeated while it lasts; other shards of the worker keep flowing;
 * - `shutdown()` ends within `shutdownGraceMillis`, abandoning that lease; another worker takes it after the failover
 *   time and processes the shard's records from the last checkpoint - nothing is lost.
 */
import { RecordingMonitoringService } from '@kcl/core/testing';
import { waitFor } from '@kcl/testbed';
import type { StoreTarget } from '../src/store-client';
import { keyForShard, miniWorker, Recorder, storeNames, useMiniBed } from './helpers/mini-run';

const env = useMiniBed();

test('a processRecords that never returns: reported as stuck, other shards flow, shutdown bounded, the shard moves on', async () => {
  const stream = await env.bed.stream(2);
  const spec: StoreTarget = { kind: 'dynamodb', endpoint: env.dynalite.endpoint, tableName: storeNames().tableName };
  const metrics = new RecordingMonitoringService();
  const stuckRecorder = new Recorder();
  stuckRecorder.hangOn.add('shardId-000000000000');
  const first = miniWorker({
    streamName: stream,
    kinesisEndpoint: env.bed.server.endpoint,
    spec,
    recorder: stuckRecorder,
    configure: (c) => c.withLogWarningForTaskAfterMillis(400).withMonitoringService(metrics).withShutdownGraceMillis(1_500),
  });
  env.workers.push(first);
  await first.worker.start();
  expect(first.worker.heldShards()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
  await env.bed.put(stream, ['s0-a', 's0-b'], keyForShard(0, 2));
  await env.bed.put(stream, ['s1-a', 's1-b'], keyForShard(1, 2));
  // Reports of the hanging shard only: under load a slow call of the flowing shard may be reported too.
  const stuckReports = () => stuckRecorder.eventsNamed('processorStuck').filter((e) => e.payload['shardId'] === 'shardId-000000000000');
  await waitFor(() => stuckReports().length >= 2, 'two stuck reports', 5_000);

  const reports = stuckReports().map((e) => e.payload);
  expect(reports[0]).toMatchObject({ shardId: 'shardId-000000000000', operation: 'processRecords' });
  expect(Number(reports[1]!['millis'])).toBeGreaterThan(Number(reports[0]!['millis']));
  expect(metrics.argsOf('processorStuck').length).toBeGreaterThanOrEqual(2);
  await waitFor(() => stuckRecorder.texts().includes('s1-b'), 'shard 1 keeps flowing', 15_000);
  const texts = stuckRecorder.texts();
  expect(texts.filter((t) => t.startsWith('s0'))).toEqual([]);

  const stopping = Date.now();
  await first.worker.shutdown();
  expect(Date.now() - stopping).toBeLessThan(1_500 + 1_000);
  expect(stuckRecorder.eventsNamed('leaseLost').map((e) => [e.payload['shardId'], e.payload['reason']])).toContainEqual([
    'shardId-000000000000',
    'abandoned',
  ]);

  // A second worker takes the abandoned lease once it expires and delivers shard 0 from its last checkpoint.
  const second = miniWorker({ streamName: stream, kinesisEndpoint: env.bed.server.endpoint, spec });
  env.workers.push(second);
  await second.worker.start();
  await waitFor(() => second.recorder.texts().includes('s0-b'), 'shard 0 processed by the next worker', 10_000);
  expect(second.recorder.texts().filter((t) => t.startsWith('s0'))).toEqual(['s0-a', 's0-b']);
});

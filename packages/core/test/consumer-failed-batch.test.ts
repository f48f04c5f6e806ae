/**
 * A batch whose processRecords call threw was not processed: if the consumer stops (worker shutdown or a lease
 * hand-off) before the retry, a `checkpoint()` in shutdown(REQUESTED) must not cover it. Found by the chaos suite
 * (packages/chaos): a steal during the task back-off made the shutdown checkpoint skip the failed batch, and the next
 * owner resumed after it.
 */
import { createTestStream } from '@kcl/testbed';
import { InvalidArgumentError } from '../src/errors';
import { ShutdownReason } from '../src/processor/shutdown-reason';
import { payloads, putRecords, startKinesisFixture } from './helpers/consumer-kinesis';
import { runConsumer, stopAllRuns, stopRun, testConfig, waitFor } from './helpers/consumer-harness';
import { RecordingProcessor } from './helpers/consumer-recorders';
import { useServerFixture } from './helpers/kinesis-fixture';

const fx = useServerFixture(startKinesisFixture);
afterEach(stopAllRuns);

test('a stop during the back-off after a failed batch: checkpoint() at shutdown stays at the last batch that succeeded', async () => {
  const stream = await createTestStream(fx.kinesis);
  const first = await putRecords(fx.kinesis, stream, payloads(5));
  let calls = 0;
  const processor = new RecordingProcessor({
    processRecords() {
      calls += 1;
      if (calls === 2) throw new Error('the second batch fails');
    },
  });
  const run = await runConsumer({ kinesis: fx.kinesis, streamName: stream, processor, config: testConfig(stream).withTaskBackoffTimeMillis(5_000) });
  await waitFor(() => processor.processed.length === 5, 'the first batch');
  const second = await putRecords(fx.kinesis, stream, payloads(5, 'b'));
  await waitFor(() => processor.batches.length === 2, 'the failing call');

  const result = await stopRun(run); // during the 5 s back-off: shutdown(REQUESTED) calls checkpoint()

  expect(result.reason).toBe(ShutdownReason.REQUESTED);
  expect(processor.shutdownCheckpointError).toBeUndefined();
  expect(run.lease.shard.checkpoint).toBe(first.at(-1)!.sequenceNumber);
  expect(run.lease.shard.checkpoint).not.toBe(second.at(-1)!.sequenceNumber);
  // A position inside the failed batch is beyond what was delivered successfully.
  await expect(processor.lastCheckpointer!.checkpoint(second[0]!.sequenceNumber)).rejects.toBeInstanceOf(InvalidArgumentError);
});

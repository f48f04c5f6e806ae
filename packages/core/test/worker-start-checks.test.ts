/**
 * What Worker.start() checks before it takes a lease: the shape of the record processor (processRecords required,
 * initialize / shutdown optional no-ops; later processors checked too) and that the stream exists before the lease
 * store is touched. Kinesalite for Kinesis, the in-memory lease store.
 */
import { putRecords, payloads } from './helpers/consumer-kinesis';
import { InvalidRecordProcessorError, KinesisError, StreamNotFoundError } from '../src/errors';
import type { ProcessRecordsInput, RecordProcessor, RecordProcessorFactory } from '../src/processor/record-processor';
import { InMemoryCheckpointer } from '../src/testing';
import { Worker } from '../src/worker/worker';
import { DeliveryLedger, fakeConsumerFactory } from './helpers/worker-fake-consumer';
import { createTestStream, EventLog, InMemoryLeaseTable, waitFor, workerConfig } from './helpers/worker-harness';
import { useWorkerSuite } from './helpers/worker-suite';

const { fx, cleanup } = useWorkerSuite();

/** A worker on a fresh in-memory table, shut down after the test. */
function newWorker(
  factory: RecordProcessorFactory,
  streamName: string,
  options: { realConsumer?: boolean } = {},
): { worker: Worker; table: InMemoryLeaseTable; events: EventLog } {
  const table = new InMemoryLeaseTable();
  const config = workerConfig(streamName, 'w1');
  const worker = new Worker(
    factory,
    config,
    options.realConsumer ? {} : { shardConsumerFactory: fakeConsumerFactory({ ledger: new DeliveryLedger() }) },
  )
    .withKinesis(fx.kinesis)
    .withCheckpointer(new InMemoryCheckpointer(table, config));
  const events = new EventLog().attach(worker);
  cleanup.push(() => worker.shutdown());
  return { worker, table, events };
}

describe('record processor checks', () => {
  test.each<[string, () => unknown, RegExp]>([
    ['has no processRecords', () => ({ initialize: () => undefined, shutdown: () => undefined }), /no processRecords\(input\) method/],
    ['is null', () => null, /returned null/],
    ['has an initialize that is not a function', () => ({ processRecords: () => undefined, initialize: 'yes' }), /initialize that is a string/],
    ['has a shutdown that is not a function', () => ({ processRecords: () => undefined, shutdown: {} }), /shutdown that is an object/],
  ])('start() rejects with InvalidRecordProcessorError when the processor %s, before touching Kinesis or the store', async (_name, make, message) => {
    const { worker, table } = newWorker({ createProcessor: make as () => RecordProcessor }, 'stream-never-listed');
    const error = await worker.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecordProcessorError);
    expect((error as Error).message).toMatch(message);
    expect(table.callCount()).toBe(0);
    expect(worker.state).toBe('new');
  });

  test('start() rejects with InvalidRecordProcessorError carrying the cause when createProcessor() throws', async () => {
    const cause = new Error('database not reachable');
    const { worker } = newWorker(
      {
        createProcessor: () => {
          throw cause;
        },
      },
      'stream-never-listed',
    );
    const error = await worker.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecordProcessorError);
    expect((error as Error).message).toContain('database not reachable');
    expect((error as Error).cause).toBe(cause);
  });

  test('the processor start() checked is the one the first lease gets: one createProcessor() call per lease', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
    let created = 0;
    const { worker } = newWorker(
      {
        createProcessor: () => {
          created += 1;
          return { processRecords: () => undefined };
        },
      },
      stream,
    );
    await worker.start();
    expect(worker.heldShards()).toHaveLength(2);
    await waitFor(() => created >= 2, 'a processor per lease');
    expect(created).toBe(2);
  });

  test('a processor without initialize and shutdown gets its records, and shutdown releases its lease cleanly', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 1 });
    await putRecords(fx.kinesis, stream, payloads(5));
    const received: string[] = [];
    const processor = {
      seen: received,
      // A method that uses `this`: the worker must call it as a method of the processor.
      async processRecords(this: { seen: string[] }, input: ProcessRecordsInput): Promise<void> {
        for (const record of input.records) this.seen.push(Buffer.from(record.data).toString('utf8'));
        await input.checkpointer.checkpoint();
      },
    };
    const { worker, table, events } = newWorker({ createProcessor: () => processor }, stream, { realConsumer: true });
    await worker.start();
    await waitFor(() => received.length >= 5, 'the 5 records');
    expect(received).toEqual(payloads(5));
    await worker.shutdown();
    expect(events.of('error')).toEqual([]);
    expect(events.of('processorError')).toEqual([]);
    const lease = table.list()[0];
    expect(lease?.assignedTo).toBeUndefined(); // released at shutdown
    expect(lease?.checkpoint).toMatch(/^\d+$/);
  });

  test('a bad processor made later is reported (typed error event) and its lease released; the worker keeps running', async () => {
    const stream = await createTestStream(fx.kinesis, { shardCount: 2 });
    let created = 0;
    const { worker, events } = newWorker(
      {
        createProcessor: () => {
          created += 1;
          return (created === 1 ? { processRecords: () => undefined } : { process: () => undefined }) as unknown as RecordProcessor;
        },
      },
      stream,
    );
    await worker.start();
    await waitFor(() => events.of('error').some((e) => e.operation === 'createProcessor'), 'the createProcessor error event');
    const reported = events.of('error').find((e) => e.operation === 'createProcessor');
    expect(reported?.error).toBeInstanceOf(InvalidRecordProcessorError);
    expect(reported?.shardId).toMatch(/^shardId-/);
    await waitFor(() => events.of('leaseLost').some((l) => l.shardId === reported?.shardId), 'the bad lease released');
    expect(worker.state).toBe('running');
    expect(worker.heldShards()).toHaveLength(1);
  });
});

describe('stream check', () => {
  test('a missing stream fails start() with StreamNotFoundError naming stream, region and endpoint; the store is never initialised', async () => {
    const { worker, table } = newWorker({ createProcessor: () => ({ processRecords: () => undefined }) }, 'no-such-stream-typo');
    const error = await worker.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamNotFoundError);
    expect(error).toBeInstanceOf(KinesisError);
    const notFound = error as StreamNotFoundError;
    expect(notFound.streamName).toBe('no-such-stream-typo');
    expect(notFound.region).toBe('us-east-1');
    expect(notFound.endpoint).toBe(fx.server.endpoint);
    expect(notFound.message).toContain('"no-such-stream-typo"');
    expect(notFound.message).toContain('us-east-1');
    expect(notFound.message).toContain(fx.server.endpoint);
    expect(table.callCount('init')).toBe(0);
    expect(table.callCount()).toBe(0);
    expect(worker.state).toBe('new');
  });
});

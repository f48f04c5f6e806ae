/**
 * Registration of the enhanced fan-out consumer against a fake client (status transitions kinesis-local does not
 * show: CREATING for a while, DELETING, time-outs, failing calls) and the per-worker factory that shares it.
 */
import { KinesisClientLibConfig } from '../src/config/kcl-config';
import { createFanOutShardConsumerFactory, isFanOutShardConsumerFactory } from '../src/consumers/fan-out-consumer-factory';
import { registerStreamConsumer } from '../src/consumers/stream-consumer-registration';
import type { StreamConsumerRegistrationOptions } from '../src/consumers/stream-consumer-registration';
import { AbortedError, KinesisError } from '../src/errors';
import { pollingShardConsumerFactory, prepareShardConsumerFactory, resolveShardConsumerFactory } from '../src/worker/default-consumer-factory';
import { waitFor } from './helpers/consumer-harness';
import { RecordingLogger } from './helpers/consumer-recorders';
import { FakeFanOutKinesis, fakeRecords, faults } from './helpers/fanout-fake-kinesis';
import { runFanOutConsumer, stopAllFanOutRuns } from './helpers/fanout-harness';

const ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/fake-stream/consumer/app:1700000000';

afterEach(async () => {
  await stopAllFanOutRuns();
});

function register(fake: FakeFanOutKinesis, options: Partial<StreamConsumerRegistrationOptions> = {}): Promise<string> {
  return registerStreamConsumer({
    kinesis: fake.asClient(),
    streamName: 'fake-stream',
    consumerName: 'app',
    logger: new RecordingLogger(),
    pollBaseMs: 5,
    pollMaxMs: 20,
    ...options,
  });
}

describe('registerStreamConsumer', () => {
  test('new consumer: registers it and polls DescribeStreamConsumer until ACTIVE', async () => {
    const fake = new FakeFanOutKinesis();
    fake.consumer = { arn: ARN, statuses: ['CREATING', 'CREATING', 'ACTIVE'], exists: false };
    await expect(register(fake)).resolves.toBe(ARN);
    expect(fake.count('DescribeStreamSummaryCommand')).toBe(1);
    expect(fake.count('RegisterStreamConsumerCommand')).toBe(1);
    expect(fake.count('DescribeStreamConsumerCommand')).toBe(3);
  });

  test('existing consumer (ResourceInUse on register): looked up by name, no waiting when ACTIVE', async () => {
    const fake = new FakeFanOutKinesis();
    fake.consumer = { arn: ARN, statuses: ['ACTIVE'], exists: true };
    await expect(register(fake)).resolves.toBe(ARN);
    expect(fake.count('RegisterStreamConsumerCommand')).toBe(1);
    expect(fake.count('DescribeStreamConsumerCommand')).toBe(1);
  });

  test('an existing consumer being deleted is waited out and registered again', async () => {
    const fake = new FakeFanOutKinesis();
    fake.consumer = { arn: ARN, statuses: ['DELETING', 'GONE', 'CREATING', 'ACTIVE'], exists: true };
    await expect(register(fake)).resolves.toBe(ARN);
    expect(fake.count('RegisterStreamConsumerCommand')).toBe(2);
  });

  test('a given ARN is only described; DELETING or missing is a KinesisError naming the ARN', async () => {
    const fake = new FakeFanOutKinesis();
    fake.consumer = { arn: ARN, statuses: ['CREATING', 'ACTIVE'], exists: true };
    await expect(register(fake, { consumerArn: ARN })).resolves.toBe(ARN);
    expect(fake.count('RegisterStreamConsumerCommand')).toBe(0);
    expect(fake.count('DescribeStreamSummaryCommand')).toBe(0);

    fake.consumer = { arn: ARN, statuses: ['DELETING'], exists: true };
    const deleting = await register(fake, { consumerArn: ARN }).catch((e: unknown) => e);
    expect(deleting).toBeInstanceOf(KinesisError);
    expect((deleting as Error).message).toContain(`${ARN} (enhancedFanOutConsumerARN) is DELETING`);

    fake.consumer = { arn: ARN, statuses: ['GONE'], exists: false };
    const missing = await register(fake, { consumerArn: ARN }).catch((e: unknown) => e);
    expect((missing as Error).message).toContain('does not exist');
  });

  test('waiting for ACTIVE is bounded by timeoutMs', async () => {
    const fake = new FakeFanOutKinesis();
    fake.consumer = { arn: ARN, statuses: ['CREATING'], exists: false };
    const started = performance.now();
    const error = await register(fake, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(KinesisError);
    expect((error as Error).message).toMatch(/app of stream fake-stream is not ACTIVE after 150 ms \(last status CREATING\)/);
  });

  test('an abort stops the wait at once with AbortedError', async () => {
    const fake = new FakeFanOutKinesis();
    fake.consumer = { arn: ARN, statuses: ['CREATING'], exists: false };
    const controller = new AbortController();
    const pending = register(fake, { signal: controller.signal, pollBaseMs: 1_000, pollMaxMs: 1_000 }).catch((e: unknown) => e);
    await waitFor(() => fake.count('DescribeStreamConsumerCommand') >= 1, 'first poll');
    const started = performance.now();
    controller.abort();
    expect(await pending).toBeInstanceOf(AbortedError);
    expect(performance.now() - started).toBeLessThan(100);
  });

  test('throttling and 5xx are retried; other failures are a KinesisError naming the call', async () => {
    const fake = new FakeFanOutKinesis();
    fake.consumer = { arn: ARN, statuses: ['ACTIVE'], exists: false };
    fake.failNext('DescribeStreamSummaryCommand', faults.internalFailure, faults.limitExceeded);
    await expect(register(fake)).resolves.toBe(ARN);
    expect(fake.count('DescribeStreamSummaryCommand')).toBe(3);

    fake.failNext('RegisterStreamConsumerCommand', faults.accessDenied);
    const error = await register(fake).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KinesisError);
    expect((error as Error).message).toMatch(
      /^RegisterStreamConsumer failed for stream fake-stream \(enhanced fan-out consumer app\): AccessDeniedException/,
    );
    expect((error as KinesisError).cause).toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('per-worker consumer factory', () => {
  const config = new KinesisClientLibConfig('app', 'fake-stream', 'us-east-1', 'w1');

  test('polling unless fan-out is enabled; prepare() registers the consumer once for every shard consumer', async () => {
    expect(resolveShardConsumerFactory(config)).toBe(pollingShardConsumerFactory);
    const fake = new FakeFanOutKinesis();
    await prepareShardConsumerFactory(pollingShardConsumerFactory, { kinesis: fake.asClient(), logger: new RecordingLogger() });
    expect(fake.commands).toEqual([]);

    const fanOutConfig = new KinesisClientLibConfig('app', 'fake-stream', 'us-east-1', 'w1').withEnhancedFanOutConsumer(true);
    const factory = resolveShardConsumerFactory(fanOutConfig);
    expect(isFanOutShardConsumerFactory(factory)).toBe(true);
    fake.consumer = { arn: ARN, statuses: ['ACTIVE'], exists: false };
    await Promise.all([
      prepareShardConsumerFactory(factory, { kinesis: fake.asClient(), logger: new RecordingLogger() }),
      prepareShardConsumerFactory(factory, { kinesis: fake.asClient(), logger: new RecordingLogger() }),
    ]);
    expect(fake.count('RegisterStreamConsumerCommand')).toBe(1);
    if (!isFanOutShardConsumerFactory(factory)) throw new Error('not a fan-out factory');
    await expect(factory.consumerArn(fake.asClient(), new RecordingLogger())).resolves.toBe(ARN);
    expect(fake.count('RegisterStreamConsumerCommand')).toBe(1);
  });

  test('shutdown during start() stops the registration it started; a shard consumer still waiting starts another', async () => {
    const factory = createFanOutShardConsumerFactory(config, { registration: { pollBaseMs: 20, pollMaxMs: 20 } });
    const fake = new FakeFanOutKinesis();
    // Long enough in CREATING that the abort below always lands while both are still polling (a slow machine once
    // let the 3-poll timeline reach ACTIVE between the first poll being seen and the abort).
    fake.consumer = { arn: ARN, statuses: [...Array<string>(40).fill('CREATING'), 'ACTIVE'], exists: false };
    const start = new AbortController();
    const starting = factory.consumerArn(fake.asClient(), new RecordingLogger(), start.signal).catch((e: unknown) => e);
    const waiting = factory.consumerArn(fake.asClient(), new RecordingLogger(), new AbortController().signal);
    await waitFor(() => fake.count('DescribeStreamConsumerCommand') >= 1, 'first poll');
    start.abort();
    expect(await starting).toBeInstanceOf(AbortedError);
    await expect(waiting).resolves.toBe(ARN);
    // The second registration found the consumer registered by the first (ResourceInUse) and waited for ACTIVE.
    expect(fake.count('RegisterStreamConsumerCommand')).toBe(2);
  });

  test('a failed registration is not remembered, and a shard consumer registers lazily when start() did not', async () => {
    const fanOutConfig = new KinesisClientLibConfig('app', 'fake-stream', 'us-east-1', 'w1').withEnhancedFanOutConsumerName('reader');
    const factory = createFanOutShardConsumerFactory(fanOutConfig, {
      registration: { pollBaseMs: 5, pollMaxMs: 20 },
      consumer: { backoffBaseMs: 10, backoffMaxMs: 50, subscribeIntervalMs: 10 },
    });
    const fake = new FakeFanOutKinesis([{ events: [{ records: fakeRecords(1, 2), continuation: '2' }], then: 'hang' }]);
    fake.consumer = { arn: ARN, statuses: ['ACTIVE'], exists: false };
    fake.failNext('RegisterStreamConsumerCommand', faults.accessDenied);
    const first = await factory.consumerArn(fake.asClient(), new RecordingLogger()).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(KinesisError);
    expect((first as Error).message).toContain('consumer reader');

    // The shard consumer's own attempt succeeds and subscribes with the ARN.
    const run = await runFanOutConsumer({
      kinesis: fake.asClient(),
      consumerArn: (signal) => factory.consumerArn(fake.asClient(), new RecordingLogger(), signal),
    });
    await waitFor(() => run.processor.processed.length >= 2, 'records');
    expect(fake.subscribeCalls[0]?.consumerArn).toBe(ARN);
    expect(fake.count('RegisterStreamConsumerCommand')).toBe(2);
  });
});

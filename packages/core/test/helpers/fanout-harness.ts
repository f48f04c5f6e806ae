/**
 * Runs one enhanced fan-out shard consumer (against kinesis-local or a fake client) with an in-memory lease store and
 * the recording fakes of the polling consumer tests; kinesis-local helpers (stream consumer, early stream end).
 */
import { DescribeStreamSummaryCommand, RegisterStreamConsumerCommand, DescribeStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, SubscribeToShardEventStream } from '@aws-sdk/client-kinesis';
import { randomName, startKinesisLocal } from '@kcl/testbed';
import type { KinesisLocalServer } from '@kcl/testbed';
import type { KinesisClientLibConfig } from '../../src/config/kcl-config';
import { createFanOutShardConsumer } from '../../src/consumers/fan-out-shard-consumer';
import type { FanOutShardConsumerOptions } from '../../src/consumers/fan-out-shard-consumer';
import { startConsumerRun, stopAllRuns, testConfig, type ConsumerRun } from './consumer-harness';
import type { LeaseFixture } from './consumer-lease';
import type { RecordingProcessor } from './consumer-recorders';
import { serverFixture, type ServerFixture } from './kinesis-fixture';

export { testConfig };

/** Short timings for tests: back-off 20..200 ms, 50 ms between subscriptions, watchdog every 20 ms. */
export const FAST_FANOUT: Omit<FanOutShardConsumerOptions, 'consumerArn'> = {
  backoffBaseMs: 20,
  backoffMaxMs: 200,
  subscribeIntervalMs: 50,
  checkIntervalMs: 20,
};

export interface RunFanOutOptions {
  kinesis: KinesisClient;
  consumerArn: FanOutShardConsumerOptions['consumerArn'];
  streamName?: string;
  shardId?: string;
  processor?: RecordingProcessor;
  config?: KinesisClientLibConfig;
  lease?: LeaseFixture;
  consumerOptions?: Omit<FanOutShardConsumerOptions, 'consumerArn'>;
}

/** A fan-out run: the same shape as a polling run. */
export type FanOutRun = ConsumerRun;

/** Ends every run still going (afterEach), so a failed test never leaves a subscription open. */
export const stopAllFanOutRuns = stopAllRuns;

export async function runFanOutConsumer(options: RunFanOutOptions): Promise<FanOutRun> {
  return startConsumerRun(options, (deps) =>
    createFanOutShardConsumer(deps, { ...FAST_FANOUT, ...options.consumerOptions, consumerArn: options.consumerArn }),
  );
}

// ---- kinesis-local -------------------------------------------------------------------------------------------------

/** kinesis-local with a client that does not retry by itself (maxAttempts 1), so faults reach the code under test. */
export type KinesisLocalFixture = ServerFixture<KinesisLocalServer>;

export async function startKinesisLocalFixture(): Promise<KinesisLocalFixture> {
  return serverFixture(await startKinesisLocal(), { maxAttempts: 1 });
}

export async function streamArn(kinesis: KinesisClient, streamName: string): Promise<string> {
  const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  return out.StreamDescriptionSummary!.StreamARN!;
}

/** Registers a consumer directly (not through the code under test) and waits until ACTIVE; returns its ARN. */
export async function registerTestConsumer(kinesis: KinesisClient, streamName: string, name = randomName('efo')): Promise<string> {
  const arn = await streamArn(kinesis, streamName);
  const out = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: name }));
  const consumerArn = out.Consumer!.ConsumerARN!;
  for (let i = 0; i < 500; i++) {
    const d = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }));
    if (d.ConsumerDescription?.ConsumerStatus === 'ACTIVE') return consumerArn;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`consumer ${name} not ACTIVE`);
}

/**
 * Makes every subscription made through `client` end (as if the server closed it) after `eventsPerSubscription`
 * events. Returns the StartingPosition of every SubscribeToShard call, in order.
 */
export function endSubscriptionsEarly(
  client: KinesisClient,
  eventsPerSubscription: number,
): { positions: { Type?: string; SequenceNumber?: string }[] } {
  const seen = { positions: [] as { Type?: string; SequenceNumber?: string }[] };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'SubscribeToShardCommand') return next(args);
      const input = args.input as { StartingPosition?: { Type?: string; SequenceNumber?: string } };
      seen.positions.push({ ...input.StartingPosition });
      const result = await next(args);
      const output = result.output as { EventStream?: AsyncIterable<SubscribeToShardEventStream> };
      const original = output.EventStream;
      if (original) output.EventStream = truncate(original, eventsPerSubscription);
      return result;
    },
    { step: 'initialize', name: `end-early-${Math.random()}` },
  );
  return seen;
}

async function* truncate<T>(source: AsyncIterable<T>, count: number): AsyncGenerator<T> {
  let n = 0;
  for await (const event of source) {
    yield event;
    if (++n >= count) return;
  }
}

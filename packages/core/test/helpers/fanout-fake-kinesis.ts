/**
 * An in-process stand-in for the parts of KinesisClient the fan-out consumer and the registration use, for what
 * kinesis-local cannot do: ChildShards at shard end, ResourceInUse / LimitExceeded / error events on demand, streams
 * that end early, hang, or stay silent, and consumer status transitions (CREATING, DELETING).
 *
 * SubscribeToShard calls play the scripts given to the constructor, one per call, in order; after the last one, calls
 * hang (until aborted) like an idle subscription. Each call records its StartingPosition and whether it was aborted.
 */
import {
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  KinesisServiceException,
  LimitExceededException,
  RegisterStreamConsumerCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import type { _Record, ChildShard, KinesisClient, StartingPosition, SubscribeToShardEventStream } from '@aws-sdk/client-kinesis';
import { performance } from 'node:perf_hooks';

/** One SubscribeToShardEvent to send. `continuation: null` = shard end. */
export interface FakeEvent {
  records?: _Record[];
  continuation: string | null;
  millisBehindLatest?: number;
  childShards?: ChildShard[];
}

/** What one SubscribeToShard call does. */
export type SubscriptionScript =
  /** The call itself fails. */
  | { fail: () => Error }
  /**
   * The call succeeds and sends `events` (an `error` item is thrown by the stream at that point), then ends the stream
   * (`then: 'end'`, the default) or stays open without events until aborted (`'hang'`).
   */
  | { events: (FakeEvent | { error: () => Error })[]; then?: 'end' | 'hang' };

export interface SubscribeCall {
  position: StartingPosition;
  consumerArn: string | undefined;
  shardId: string | undefined;
  /** performance.now() at the call. */
  at: number;
  hadSignal: boolean;
  /** Set when the call's AbortSignal fired. */
  abortedAt?: number;
}

/** A consumer status timeline for the registration: statuses returned by successive DescribeStreamConsumer calls. */
export interface FakeConsumerState {
  arn: string;
  statuses: string[];
  /** RegisterStreamConsumer fails with ResourceInUse (the name is taken). */
  exists: boolean;
}

const sleepTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class FakeFanOutKinesis {
  readonly subscribeCalls: SubscribeCall[] = [];
  readonly commands: string[] = [];
  /** For registration tests. */
  consumer: FakeConsumerState | undefined;
  private readonly scripts: SubscriptionScript[];
  private readonly commandFaults = new Map<string, (() => Error)[]>();

  constructor(scripts: SubscriptionScript[] = []) {
    this.scripts = [...scripts];
  }

  /** Adds scripts for later calls. */
  push(...scripts: SubscriptionScript[]): void {
    this.scripts.push(...scripts);
  }

  /** The next calls of `commandName` (e.g. 'DescribeStreamSummaryCommand') throw these, in order. */
  failNext(commandName: string, ...errors: (() => Error)[]): void {
    this.commandFaults.set(commandName, [...(this.commandFaults.get(commandName) ?? []), ...errors]);
  }

  /** How many calls of `commandName` were made. */
  count(commandName: string): number {
    return this.commands.filter((c) => c === commandName).length;
  }

  /** Calls whose request is still open (not aborted). */
  get openSubscriptions(): number {
    return this.subscribeCalls.filter((c) => c.abortedAt === undefined).length;
  }

  asClient(): KinesisClient {
    return this as unknown as KinesisClient;
  }

  async send(command: unknown, options: { abortSignal?: AbortSignal } = {}): Promise<unknown> {
    const name = (command as { constructor: { name: string } }).constructor.name;
    this.commands.push(name);
    await sleepTick();
    if (options.abortSignal?.aborted) throw abortError();
    const fault = this.commandFaults.get(name)?.shift();
    if (fault) throw fault();
    if (command instanceof SubscribeToShardCommand) return this.subscribe(command, options.abortSignal);
    if (command instanceof DescribeStreamSummaryCommand) {
      return { StreamDescriptionSummary: { StreamARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/fake-stream' } };
    }
    if (command instanceof RegisterStreamConsumerCommand) return this.register();
    if (command instanceof DescribeStreamConsumerCommand) return this.describe();
    throw new Error(`FakeFanOutKinesis: unexpected command ${name}`);
  }

  destroy(): void {}

  private register(): unknown {
    const consumer = this.requireConsumer();
    if (consumer.exists) throw faults.resourceInUse('Consumer exists');
    consumer.exists = true;
    return { Consumer: { ConsumerARN: consumer.arn, ConsumerStatus: 'CREATING', ConsumerName: 'fake' } };
  }

  private describe(): unknown {
    const consumer = this.requireConsumer();
    const status = consumer.statuses.length > 1 ? consumer.statuses.shift()! : consumer.statuses[0];
    if (status === undefined || status === 'GONE') {
      consumer.exists = false;
      throw new ResourceNotFoundException({ message: 'Consumer not found (fake)', $metadata: { httpStatusCode: 400 } });
    }
    return { ConsumerDescription: { ConsumerARN: consumer.arn, ConsumerStatus: status, ConsumerName: 'fake' } };
  }

  private requireConsumer(): FakeConsumerState {
    if (!this.consumer) throw new Error('FakeFanOutKinesis: no consumer state set');
    return this.consumer;
  }

  private subscribe(command: SubscribeToShardCommand, signal: AbortSignal | undefined): unknown {
    const input = command.input;
    const call: SubscribeCall = {
      position: { ...input.StartingPosition! },
      consumerArn: input.ConsumerARN,
      shardId: input.ShardId,
      at: performance.now(),
      hadSignal: signal !== undefined,
    };
    this.subscribeCalls.push(call);
    const onAbort = (): void => {
      call.abortedAt ??= performance.now();
    };
    if (signal?.aborted) {
      onAbort();
      throw abortError();
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    const script = this.scripts.shift() ?? { events: [], then: 'hang' as const };
    if ('fail' in script) {
      onAbort(); // nothing stays open
      throw script.fail();
    }
    return { EventStream: eventStream(script, signal, onAbort), $metadata: {} };
  }
}

async function* eventStream(
  script: Extract<SubscriptionScript, { events: unknown }>,
  signal: AbortSignal | undefined,
  closed: () => void,
): AsyncGenerator<SubscribeToShardEventStream> {
  try {
    for (const item of script.events) {
      await sleepTick();
      if (signal?.aborted) throw abortError();
      if ('error' in item) throw item.error();
      yield {
        SubscribeToShardEvent: {
          Records: item.records ?? [],
          ContinuationSequenceNumber: item.continuation ?? undefined,
          MillisBehindLatest: item.millisBehindLatest ?? 0,
          ...(item.childShards ? { ChildShards: item.childShards } : {}),
        },
      };
    }
    if (script.then === 'hang') {
      await new Promise<void>((_resolve, reject) => {
        if (!signal) return; // hangs for ever
        if (signal.aborted) reject(abortError());
        signal.addEventListener('abort', () => reject(abortError()), { once: true });
      });
    }
  } finally {
    closed();
  }
}

function abortError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}

/** A user record with a small decimal sequence number (valid for the sequence-number rules). */
export function fakeRecord(sequenceNumber: number | string, data = `d${sequenceNumber}`): _Record {
  return {
    SequenceNumber: String(sequenceNumber),
    Data: Buffer.from(data),
    PartitionKey: 'pk',
    ApproximateArrivalTimestamp: new Date(),
  };
}

/** `count` records numbered from `first`. */
export function fakeRecords(first: number, count: number): _Record[] {
  return Array.from({ length: count }, (_, i) => fakeRecord(first + i));
}

export const faults = {
  resourceInUse: (message = 'Another active subscription exists (fake)'): Error =>
    new ResourceInUseException({ message, $metadata: { httpStatusCode: 400 } }),
  limitExceeded: (): Error =>
    new LimitExceededException({ message: 'Rate exceeded for consumer and shard (fake)', $metadata: { httpStatusCode: 400 } }),
  internalFailure: (): Error =>
    new KinesisServiceException({
      name: 'InternalFailureException',
      $fault: 'server',
      message: 'Internal failure (fake)',
      $metadata: { httpStatusCode: 500 },
    }),
  accessDenied: (): Error =>
    new KinesisServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'denied (fake)', $metadata: { httpStatusCode: 400 } }),
};

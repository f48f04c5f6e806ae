/** Stream administration against a Kinesis endpoint: create (waiting for ACTIVE), delete, list streams and shards. */
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  ListShardsCommand,
  ListStreamsCommand,
  waitUntilStreamExists,
  waitUntilStreamNotExists,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { LocalError, checkRange } from './errors';

/** The SDK waiters' delays (seconds) for local stand-ins: first retry after 20 ms, never more than 250 ms apart. */
export const LOCAL_WAITER_DELAYS = { minDelay: 0.02, maxDelay: 0.25 } as const;

const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

function checkStreamName(name: string): void {
  if (!STREAM_NAME.test(name)) {
    throw new LocalError('LOCAL_BAD_OPTION', 'kinesis', `stream name must be 1-128 of [a-zA-Z0-9_.-], got ${JSON.stringify(name)}`);
  }
}

/** Wraps a failed SDK call as a KINESIS_FAILED LocalError that keeps the SDK error as its cause. */
async function kinesisCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof LocalError) throw error;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new LocalError('KINESIS_FAILED', 'kinesis', `${what} failed: ${reason}`, { cause: error });
  }
}

/**
 * Waits until the stream is ACTIVE (after CreateStream or a reshard) with the SDK's `waitUntilStreamExists`.
 * @throws the waiter's error (state TIMEOUT) after `timeoutMs`
 * @defaultValue timeoutMs `30000`
 */
export async function waitForStreamActive(client: KinesisClient, streamName: string, timeoutMs = 30_000): Promise<void> {
  await waitUntilStreamExists({ client, maxWaitTime: timeoutMs / 1000, ...LOCAL_WAITER_DELAYS }, { StreamName: streamName });
}

export interface CreateStreamOptions {
  /**
   * Number of shards (1 to 10000).
   * @defaultValue 1
   */
  shards?: number;
  /**
   * How long to wait for the stream to become ACTIVE, in ms.
   * @defaultValue 30000
   */
  timeoutMs?: number;
}

/**
 * Creates a stream and waits until it is ACTIVE (the SDK waiter).
 * @throws LocalError LOCAL_BAD_OPTION for a bad name or shard count, KINESIS_FAILED if the call or the wait fails
 */
export async function createStream(client: KinesisClient, name: string, options: CreateStreamOptions = {}): Promise<void> {
  checkStreamName(name);
  checkRange('kinesis', 'shards', options.shards, 1, 10_000);
  await kinesisCall(`CreateStream ${name}`, async () => {
    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: options.shards ?? 1 }));
    await waitForStreamActive(client, name, options.timeoutMs ?? 30_000);
  });
}

export interface DeleteStreamOptions {
  /**
   * Wait until the stream is gone (the SDK waiter).
   * @defaultValue true
   */
  wait?: boolean;
  /**
   * How long to wait, in ms.
   * @defaultValue 30000
   */
  timeoutMs?: number;
}

/**
 * Deletes a stream and, unless `wait` is false, waits until it no longer exists.
 * @throws LocalError KINESIS_FAILED (e.g. ResourceNotFoundException for an unknown stream)
 */
export async function deleteStream(client: KinesisClient, name: string, options: DeleteStreamOptions = {}): Promise<void> {
  checkStreamName(name);
  await kinesisCall(`DeleteStream ${name}`, async () => {
    await client.send(new DeleteStreamCommand({ StreamName: name }));
    if (options.wait === false) return;
    const maxWaitTime = (options.timeoutMs ?? 30_000) / 1000;
    await waitUntilStreamNotExists({ client, maxWaitTime, ...LOCAL_WAITER_DELAYS }, { StreamName: name });
  });
}

/** Names of every stream (ListStreams, following pages). */
export async function listStreams(client: KinesisClient): Promise<string[]> {
  return kinesisCall('ListStreams', async () => {
    const names: string[] = [];
    let more = true;
    while (more) {
      const last = names[names.length - 1];
      const page = await client.send(new ListStreamsCommand(last === undefined ? {} : { ExclusiveStartStreamName: last }));
      names.push(...(page.StreamNames ?? []));
      more = page.HasMoreStreams === true && (page.StreamNames ?? []).length > 0;
    }
    return names;
  });
}

/** Every shard of the stream, closed ones included (ListShards, following NextToken). */
export async function listAllShards(client: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    const out = await client.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }));
    shards.push(...(out.Shards ?? []));
    nextToken = out.NextToken;
  } while (nextToken);
  return shards;
}

/** Stream helpers for tests: the full shard listing and waiting for ACTIVE (the SDK waiter, polled quickly). */
import { ListShardsCommand, waitUntilStreamExists, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';

/** Every shard of the stream, closed ones included (ListShards, following NextToken). */
export async function listAllShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    const out = await kinesis.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }));
    shards.push(...(out.Shards ?? []));
    nextToken = out.NextToken;
  } while (nextToken);
  return shards;
}

/** The SDK waiters' delays (seconds) for local stand-ins: first retry after 20 ms, never more than 250 ms apart. */
export const LOCAL_WAITER_DELAYS = { minDelay: 0.02, maxDelay: 0.25 } as const;

/**
 * Waits until the stream is ACTIVE (after CreateStream or a reshard) with the SDK's `waitUntilStreamExists`.
 * @throws the waiter's error (state TIMEOUT) after `timeoutMs`
 * @defaultValue timeoutMs `30000`
 */
export async function waitForStreamActive(kinesis: KinesisClient, streamName: string, timeoutMs = 30_000): Promise<void> {
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: timeoutMs / 1000, ...LOCAL_WAITER_DELAYS }, { StreamName: streamName });
}

/**
 * Kinesis faults the emulators never produce (throttling, expired iterators, 5xx), injected with SDK middleware on a
 * KinesisClient: a faulty call fails before it reaches the server. The middleware runs at the `initialize` step,
 * before the SDK's own retries, so what is tested is how the caller (a worker) handles them.
 */
import {
  ExpiredIteratorException,
  KinesisServiceException,
  ProvisionedThroughputExceededException,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';

export type KinesisFaultKind = 'throttled' | 'expiredIterator' | 'internalError' | 'serviceUnavailable';

/** The error the SDK would raise for each kind of fault (same class, name, fault side and HTTP status). */
export function kinesisFaultError(kind: KinesisFaultKind): Error {
  switch (kind) {
    case 'throttled':
      return new ProvisionedThroughputExceededException({
        message: 'Rate exceeded for shard (injected)',
        $metadata: { httpStatusCode: 400 },
      });
    case 'expiredIterator':
      return new ExpiredIteratorException({ message: 'Iterator expired (injected)', $metadata: { httpStatusCode: 400 } });
    case 'internalError':
      return new KinesisServiceException({
        name: 'InternalFailure',
        $fault: 'server',
        message: 'Internal service failure (injected 500)',
        $metadata: { httpStatusCode: 500 },
      });
    case 'serviceUnavailable':
      return new KinesisServiceException({
        name: 'ServiceUnavailable',
        $fault: 'server',
        message: 'Service unavailable (injected 503)',
        $metadata: { httpStatusCode: 503 },
      });
  }
}

/** One call the middleware is about to pass on. */
export interface KinesisCall {
  /** SDK command name, e.g. `GetRecordsCommand`. */
  command: string;
  /**
   * The shard of a GetShardIterator or GetRecords call (a GetRecords iterator's shard is remembered from the answer
   * that returned it); undefined for other calls and unknown iterators.
   */
  shardId: string | undefined;
  /** Calls so far of `command` on `shardId` (this one included, from 1): the same whatever the shards' interleaving. */
  call: number;
}

/** What the middleware did. */
export interface FaultCounters {
  /** Calls per `${command} ${shardId}` (calls with no known shard are not counted). */
  calls: Map<string, number>;
  injected: Map<KinesisFaultKind, number>;
}

/**
 * Adds fault-injecting middleware to `client`: `decide` is asked about every call and fails it with
 * {@link kinesisFaultError} of the kind it returns (undefined lets the call through). Returns live counters.
 */
export function injectKinesisFaults(client: KinesisClient, decide: (call: KinesisCall) => KinesisFaultKind | undefined): FaultCounters {
  const counters: FaultCounters = { calls: new Map(), injected: new Map() };
  const shardOfIterator = new Map<string, string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const input = args.input as { ShardId?: string; ShardIterator?: string };
      const shardId = command === 'GetShardIteratorCommand' ? input.ShardId : shardOfIterator.get(input.ShardIterator ?? '');
      let call = 0;
      if (shardId !== undefined) {
        const key = `${command} ${shardId}`;
        call = (counters.calls.get(key) ?? 0) + 1;
        counters.calls.set(key, call);
      }
      const kind = decide({ command, shardId, call });
      if (kind !== undefined) {
        counters.injected.set(kind, (counters.injected.get(kind) ?? 0) + 1);
        throw kinesisFaultError(kind);
      }
      const result = await next(args);
      const output = result.output as { ShardIterator?: string; NextShardIterator?: string };
      if (shardId !== undefined) {
        if (output.ShardIterator) shardOfIterator.set(output.ShardIterator, shardId);
        if (output.NextShardIterator) shardOfIterator.set(output.NextShardIterator, shardId);
        if (input.ShardIterator) shardOfIterator.delete(input.ShardIterator);
      }
      return result;
    },
    { step: 'initialize', name: 'kcl-testbed-kinesis-faults' },
  );
  return counters;
}

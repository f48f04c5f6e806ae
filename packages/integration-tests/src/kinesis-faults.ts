/**
 * Kinesis faults the emulators never produce (throttling, expired iterators, 5xx), injected with SDK middleware on
 * the worker's own KinesisClient: a faulty call fails before it reaches the server.
 */
import {
  ExpiredIteratorException,
  KinesisServiceException,
  ProvisionedThroughputExceededException,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';

export type KinesisFaultKind = 'throttled' | 'expiredIterator' | 'internalError' | 'serviceUnavailable';

/** The error the SDK would raise for each kind of fault (same class, name, fault side and HTTP status). */
export function kinesisFault(kind: KinesisFaultKind): Error {
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

export interface FaultPlan {
  /** SDK command name: `GetRecordsCommand` or `GetShardIteratorCommand`. */
  command: 'GetRecordsCommand' | 'GetShardIteratorCommand';
  /**
   * Decides, per call of `command` on one shard (calls numbered from 1 per command and shard), whether it fails and
   * how. Counting per shard keeps the schedule the same whatever the interleaving of the shards' polling loops.
   */
  faultFor: (call: number) => KinesisFaultKind | undefined;
}

/** What the middleware did. */
export interface FaultCounters {
  /** Calls per `${command} ${shardId}`. */
  calls: Map<string, number>;
  injected: Map<KinesisFaultKind, number>;
}

/**
 * Adds fault-injecting middleware to `client` following `plans`. The shard of a GetRecords call is known from its
 * iterator (remembered from the GetShardIterator or GetRecords answer that returned it). Returns live counters.
 */
export function injectKinesisFaults(client: KinesisClient, plans: FaultPlan[]): FaultCounters {
  const counters: FaultCounters = { calls: new Map(), injected: new Map() };
  const shardOfIterator = new Map<string, string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const input = args.input as { ShardId?: string; ShardIterator?: string };
      const shardId = command === 'GetShardIteratorCommand' ? input.ShardId : shardOfIterator.get(input.ShardIterator ?? '');
      const plan = plans.find((p) => p.command === command);
      if (plan && shardId !== undefined) {
        const key = `${command} ${shardId}`;
        const call = (counters.calls.get(key) ?? 0) + 1;
        counters.calls.set(key, call);
        const kind = plan.faultFor(call);
        if (kind !== undefined) {
          counters.injected.set(kind, (counters.injected.get(kind) ?? 0) + 1);
          throw kinesisFault(kind);
        }
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
    { step: 'initialize', name: 'kcl-it-fault-injection' },
  );
  return counters;
}

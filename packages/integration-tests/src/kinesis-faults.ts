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
  /** SDK command name, e.g. `GetRecordsCommand`. */
  command: string;
  /**
   * Decides, per call of `command` (numbered from 1 per command), whether it fails and how.
   */
  faultFor: (call: number) => KinesisFaultKind | undefined;
}

/** What the middleware did. */
export interface FaultCounters {
  calls: Map<string, number>;
  injected: Map<KinesisFaultKind, number>;
}

/** Adds fault-injecting middleware to `client` following `plans`. Returns live counters. */
export function injectKinesisFaults(client: KinesisClient, plans: FaultPlan[]): FaultCounters {
  const counters: FaultCounters = { calls: new Map(), injected: new Map() };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const plan = plans.find((p) => p.command === command);
      if (!plan) return next(args);
      const call = (counters.calls.get(command) ?? 0) + 1;
      counters.calls.set(command, call);
      const kind = plan.faultFor(call);
      if (kind === undefined) return next(args);
      counters.injected.set(kind, (counters.injected.get(kind) ?? 0) + 1);
      throw kinesisFault(kind);
    },
    { step: 'initialize', name: 'kcl-it-fault-injection' },
  );
  return counters;
}

/**
 * Kinesis faults the emulators never produce, injected into a worker's own KinesisClient by SDK middleware while a
 * scheduled window is open: throttling (GetRecords, GetShardIterator), expired iterators (GetRecords) and 5xx
 * (GetRecords, GetShardIterator, ListShards). A failed call never reaches the server. The middleware runs at the
 * `initialize` step, before the SDK's own retries, so the worker's handling is what is tested.
 */
import {
  ExpiredIteratorException,
  KinesisServiceException,
  ProvisionedThroughputExceededException,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { now } from './clock';
import type { Prng } from './prng';
import type { KinesisFaultKind, ScheduledFault } from './schedule';

const COMMANDS: Record<KinesisFaultKind, readonly string[]> = {
  'kinesis-throttle': ['GetRecordsCommand', 'GetShardIteratorCommand'],
  'kinesis-expired-iterator': ['GetRecordsCommand'],
  'kinesis-5xx': ['GetRecordsCommand', 'GetShardIteratorCommand', 'ListShardsCommand'],
};

/** The error the SDK raises for each kind (same class, name, fault side and HTTP status). */
export function kinesisFaultError(kind: KinesisFaultKind, prng: Prng): Error {
  switch (kind) {
    case 'kinesis-throttle':
      return new ProvisionedThroughputExceededException({
        message: 'Rate exceeded for shard (chaos)',
        $metadata: { httpStatusCode: 400 },
      });
    case 'kinesis-expired-iterator':
      return new ExpiredIteratorException({ message: 'Iterator expired (chaos)', $metadata: { httpStatusCode: 400 } });
    case 'kinesis-5xx': {
      const status = prng.chance(0.5) ? 500 : 503;
      return new KinesisServiceException({
        name: status === 500 ? 'InternalFailure' : 'ServiceUnavailable',
        $fault: 'server',
        message: `injected ${status} (chaos)`,
        $metadata: { httpStatusCode: status },
      });
    }
  }
}

/**
 * Adds the fault middleware to `client`. `windows` are the worker's Kinesis fault windows (times relative to the
 * schedule's zero, `t0()`; undefined while the schedule has not started). Returns the live count of injected faults
 * by kind.
 */
export function installKinesisFaults(
  client: KinesisClient,
  windows: readonly ScheduledFault[],
  t0: () => number | undefined,
  prng: Prng,
): Record<string, number> {
  const counts: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      const zero = windows.length > 0 ? t0() : undefined;
      if (zero === undefined) return next(args);
      const t = now() - zero;
      for (const window of windows) {
        const kind = window.kind as KinesisFaultKind;
        if (t < window.at || t >= window.at + (window.durationMs ?? 0)) continue;
        if (!COMMANDS[kind]?.includes(command)) continue;
        if (!prng.chance(window.rate ?? 0.5)) continue;
        counts[kind] = (counts[kind] ?? 0) + 1;
        throw kinesisFaultError(kind, prng);
      }
      return next(args);
    },
    { step: 'initialize', name: 'kcl-chaos-kinesis-faults' },
  );
  return counts;
}

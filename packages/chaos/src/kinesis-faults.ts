/**
 * The chaos schedule's Kinesis fault windows, injected into a worker's own KinesisClient with the test bed's fault
 * middleware while a window is open: throttling (GetRecords, GetShardIterator), expired iterators (GetRecords) and
 * 5xx (GetRecords, GetShardIterator, ListShards; 500 or 503 at even odds).
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { injectKinesisFaults, type KinesisFaultKind } from '@kcl/testbed';
import { now } from './clock';
import type { Prng } from './prng';
import type { KinesisFaultKind as ChaosKinesisFault, ScheduledFault } from './schedule';

const COMMANDS: Record<ChaosKinesisFault, readonly string[]> = {
  'kinesis-throttle': ['GetRecordsCommand', 'GetShardIteratorCommand'],
  'kinesis-expired-iterator': ['GetRecordsCommand'],
  'kinesis-5xx': ['GetRecordsCommand', 'GetShardIteratorCommand', 'ListShardsCommand'],
};

/** The injected error for a scheduled kind (a 5xx draws 500 or 503 from `prng`). */
function faultKind(kind: ChaosKinesisFault, prng: Prng): KinesisFaultKind {
  switch (kind) {
    case 'kinesis-throttle':
      return 'throttled';
    case 'kinesis-expired-iterator':
      return 'expiredIterator';
    case 'kinesis-5xx':
      return prng.chance(0.5) ? 'internalError' : 'serviceUnavailable';
  }
}

/**
 * Adds the fault middleware to `client`. `windows` are the worker's Kinesis fault windows (times relative to the
 * schedule's zero, `t0()`; undefined while the schedule has not started). Returns the live count of injected faults
 * by scheduled kind.
 */
export function installKinesisFaults(
  client: KinesisClient,
  windows: readonly ScheduledFault[],
  t0: () => number | undefined,
  prng: Prng,
): Record<string, number> {
  const counts: Record<string, number> = {};
  injectKinesisFaults(client, ({ command }) => {
    const zero = windows.length > 0 ? t0() : undefined;
    if (zero === undefined) return undefined;
    const t = now() - zero;
    for (const window of windows) {
      const kind = window.kind as ChaosKinesisFault;
      if (t < window.at || t >= window.at + (window.durationMs ?? 0)) continue;
      if (!COMMANDS[kind]?.includes(command)) continue;
      if (!prng.chance(window.rate ?? 0.5)) continue;
      counts[kind] = (counts[kind] ?? 0) + 1;
      return faultKind(kind, prng);
    }
    return undefined;
  });
  return counts;
}

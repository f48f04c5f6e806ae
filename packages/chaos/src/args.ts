/** Command-line options of `pnpm chaos`. */
import { join } from 'node:path';
import { parseFlags, UsageError, type FlagSpec } from '@kcl/testbed';
import type { LeaseBackend } from './schedule';

export interface ChaosOptions {
  /** Seed of the schedule and payloads; undefined picks a random one (printed first). @defaultValue random */
  seed: number | undefined;
  /** The CI variant: fewer records, fewer faults (each kind at least once). @defaultValue false */
  quick: boolean;
  /** Lease store. @defaultValue 'dynamodb' */
  backend: LeaseBackend;
  /** Worker processes. @defaultValue 4 */
  workers: number;
  /** Shards of the stream at the start. @defaultValue 8 */
  shards: number;
  /** User records the producer writes. @defaultValue 100000 (quick: 8000) */
  records: number;
  /** Seconds the producer writes for; faults happen inside this window. @defaultValue 150 (quick: 24) */
  windowSeconds: number;
  /** SIGKILL + restart faults. @defaultValue 12 (quick: 2) */
  kills: number;
  /** SIGSTOP + SIGCONT faults (each longer than the failover time). @defaultValue 2 (quick: 1) */
  pauses: number;
  /** Lease-store faults of each kind. @defaultValue 2 (quick: 1) */
  storeFaultsPerKind: number;
  /** Kinesis fault windows of each kind. @defaultValue 2 (quick: 1) */
  kinesisWindowsPerKind: number;
  /** Lease failover time of the workers (ms). @defaultValue 3000 */
  failoverMillis: number;
  /** Lease renewal period of the workers (ms). @defaultValue 750 (a quarter of `--failover`) */
  refreshMillis: number;
  /** Upper bound of the drain after the producer stopped (s); records still missing then count as lost. @defaultValue 90 (quick: 45) */
  drainTimeoutSeconds: number;
  /** Print only the report as one JSON line. @defaultValue false */
  json: boolean;
  /** Where reports and logs go. @defaultValue packages/chaos/reports */
  reportDir: string;
  /** Check the logs of an earlier run in this directory again instead of running. @defaultValue none */
  check: string | undefined;
}

const DEFAULT_REPORT_DIR = join(__dirname, '..', 'reports');

export const FULL_DEFAULTS: ChaosOptions = {
  seed: undefined,
  quick: false,
  backend: 'dynamodb',
  workers: 4,
  shards: 8,
  records: 100_000,
  windowSeconds: 150,
  kills: 12,
  pauses: 2,
  storeFaultsPerKind: 2,
  kinesisWindowsPerKind: 2,
  failoverMillis: 3_000,
  refreshMillis: 750,
  drainTimeoutSeconds: 90,
  json: false,
  reportDir: DEFAULT_REPORT_DIR,
  check: undefined,
};

export const QUICK_DEFAULTS: ChaosOptions = {
  ...FULL_DEFAULTS,
  quick: true,
  records: 8_000,
  windowSeconds: 24,
  kills: 2,
  pauses: 1,
  storeFaultsPerKind: 1,
  kinesisWindowsPerKind: 1,
  drainTimeoutSeconds: 45,
};

export const USAGE = `Usage: pnpm chaos [--quick] [--seed N] [--backend dynamodb|redis|redis-cluster] [--json] [options]

Runs N worker processes of @kcl/core on a local stream while a producer writes, injects faults on a schedule drawn
from the seed (SIGKILL + restart, SIGSTOP longer than the failover time, a split and a merge, a Redis restart, a
lease-store partition, connection resets and latency through a TCP proxy, Kinesis throttling / expired iterators /
5xx in the workers' SDK, a processor that throws now and then), then checks the invariants over everything the
processors saw and prints a report. The seed is printed first; --seed N replays the same schedule.
Exit code 0 if every invariant held, 1 if not, 2 for bad options.

  --quick              CI variant: ${QUICK_DEFAULTS.records} records over ${QUICK_DEFAULTS.windowSeconds} s, ${QUICK_DEFAULTS.kills} kills, every other fault kind once
  --seed N             replay the schedule of seed N (0-4294967295)
  --backend B          lease store: dynamodb (default), redis or redis-cluster
  --workers N          worker processes (default ${FULL_DEFAULTS.workers}, 2-16)
  --shards N           shards at the start (default ${FULL_DEFAULTS.shards}, 2-32)
  --records N          user records to produce (default ${FULL_DEFAULTS.records}; quick ${QUICK_DEFAULTS.records}; 100-2000000)
  --window SECONDS     how long the producer writes (default ${FULL_DEFAULTS.windowSeconds}; quick ${QUICK_DEFAULTS.windowSeconds}; 10-3600)
  --kills N            SIGKILL + restart faults (default ${FULL_DEFAULTS.kills}; quick ${QUICK_DEFAULTS.kills}; 0-1000)
  --pauses N           SIGSTOP + SIGCONT faults (default ${FULL_DEFAULTS.pauses}; quick ${QUICK_DEFAULTS.pauses}; 0-100)
  --failover MS        workers' failover time (default ${FULL_DEFAULTS.failoverMillis}, 1000-60000)
  --drain-timeout S    bound of the final drain (default ${FULL_DEFAULTS.drainTimeoutSeconds}; quick ${QUICK_DEFAULTS.drainTimeoutSeconds})
  --report-dir DIR     where reports and logs go (default packages/chaos/reports)
  --json               print only the report as one JSON line
  --check DIR          check the logs of an earlier run (its directory under the report dir) again, without running
`;

export { UsageError };

const FLAGS = {
  quick: { kind: 'switch' },
  json: { kind: 'switch' },
  seed: { kind: 'int', min: 0, max: 0xffffffff },
  backend: { kind: 'choice', choices: ['dynamodb', 'redis', 'redis-cluster'] },
  workers: { kind: 'int', min: 2, max: 16 },
  shards: { kind: 'int', min: 2, max: 32 },
  records: { kind: 'int', min: 100, max: 2_000_000 },
  window: { kind: 'int', min: 10, max: 3_600 },
  kills: { kind: 'int', min: 0, max: 1_000 },
  pauses: { kind: 'int', min: 0, max: 100 },
  failover: { kind: 'int', min: 1_000, max: 60_000 },
  'drain-timeout': { kind: 'int', min: 5, max: 3_600 },
  check: { kind: 'text', needs: 'the directory of a run' },
  'report-dir': { kind: 'text', needs: 'a directory' },
} as const satisfies Record<string, FlagSpec>;

/** Parses argv (without node and script). Throws UsageError naming the bad flag; returns 'help' for --help. */
export function parseArgs(argv: readonly string[]): ChaosOptions | 'help' {
  const { help, values: v } = parseFlags(argv, FLAGS);
  if (help) return 'help';
  const d = v.quick ? QUICK_DEFAULTS : FULL_DEFAULTS;
  return {
    ...d,
    seed: v.seed ?? d.seed,
    json: v.json ?? d.json,
    backend: (v.backend as LeaseBackend | undefined) ?? d.backend,
    workers: v.workers ?? d.workers,
    shards: v.shards ?? d.shards,
    records: v.records ?? d.records,
    windowSeconds: v.window ?? d.windowSeconds,
    kills: v.kills ?? d.kills,
    pauses: v.pauses ?? d.pauses,
    failoverMillis: v.failover ?? d.failoverMillis,
    refreshMillis: v.failover === undefined ? d.refreshMillis : Math.max(100, Math.floor(v.failover / 4)),
    drainTimeoutSeconds: v['drain-timeout'] ?? d.drainTimeoutSeconds,
    check: v.check ?? d.check,
    reportDir: v['report-dir'] ?? d.reportDir,
  };
}

/** Command-line options of `pnpm chaos`. */
import { join } from 'node:path';
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

export class UsageError extends Error {
  override name = 'UsageError';
}

function int(name: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined) throw new UsageError(`--${name} needs a value (an integer from ${min} to ${max})`);
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Parses argv (without node and script). Throws UsageError naming the bad flag; returns 'help' for --help. */
export function parseArgs(argv: readonly string[]): ChaosOptions | 'help' {
  const quick = argv.includes('--quick');
  const options: ChaosOptions = { ...(quick ? QUICK_DEFAULTS : FULL_DEFAULTS) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const next = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--':
        break;
      case '-h':
      case '--help':
        return 'help';
      case '--quick':
        break;
      case '--json':
        options.json = true;
        break;
      case '--seed':
        options.seed = int('seed', next(), 0, 0xffffffff);
        break;
      case '--backend': {
        const value = next();
        if (value !== 'dynamodb' && value !== 'redis' && value !== 'redis-cluster') {
          throw new UsageError(`--backend must be dynamodb, redis or redis-cluster, got ${JSON.stringify(value ?? '')}`);
        }
        options.backend = value;
        break;
      }
      case '--workers':
        options.workers = int('workers', next(), 2, 16);
        break;
      case '--shards':
        options.shards = int('shards', next(), 2, 32);
        break;
      case '--records':
        options.records = int('records', next(), 100, 2_000_000);
        break;
      case '--window':
        options.windowSeconds = int('window', next(), 10, 3_600);
        break;
      case '--kills':
        options.kills = int('kills', next(), 0, 1_000);
        break;
      case '--pauses':
        options.pauses = int('pauses', next(), 0, 100);
        break;
      case '--failover':
        options.failoverMillis = int('failover', next(), 1_000, 60_000);
        options.refreshMillis = Math.max(100, Math.floor(options.failoverMillis / 4));
        break;
      case '--drain-timeout':
        options.drainTimeoutSeconds = int('drain-timeout', next(), 5, 3_600);
        break;
      case '--check': {
        const value = next();
        if (!value) throw new UsageError('--check needs the directory of a run');
        options.check = value;
        break;
      }
      case '--report-dir': {
        const value = next();
        if (!value) throw new UsageError('--report-dir needs a directory');
        options.reportDir = value;
        break;
      }
      default:
        throw new UsageError(`unknown option ${JSON.stringify(arg)}; see --help`);
    }
  }
  return options;
}

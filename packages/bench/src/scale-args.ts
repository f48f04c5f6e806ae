/** Command-line options of `pnpm bench:scale`. */
import { parseIntFlag, UsageError } from '@kcl/testbed';

export type ScaleBackend = 'redis' | 'dynamodb';

export interface ScaleBenchOptions {
  /** Shards of the stream. */
  shards: number;
  /** Worker processes; they join one by one, one per phase. */
  workers: number;
  /** Lease store every worker uses. */
  backend: ScaleBackend;
  /** Turn lease stealing on (`withLeaseStealing(true)`); off is the config default today. */
  stealing: boolean;
  /** Length of each phase (the time between two joins, and after the last join), in seconds. */
  phaseSeconds: number;
  /** Records per second the producer puts (spread round-robin over the shards); 0 puts none. */
  rate: number;
  /** After the producer stops, how long to wait for the last records to be delivered, in seconds. */
  drainSeconds: number;
  /** Hard bound on the whole run, in seconds: past it the run stops and reports what it has. */
  maxSeconds: number;
  /** Kinesis stand-in answering ListShards/GetShardIterator/GetRecords cheaply (empty records) instead of kinesalite. */
  engineOnly: boolean;
  /** Print one JSON summary instead of the report. */
  json: boolean;
}

export const DEFAULT_SCALE_OPTIONS: Readonly<Omit<ScaleBenchOptions, 'maxSeconds'>> = Object.freeze({
  shards: 1_000,
  workers: 4,
  backend: 'redis',
  stealing: false,
  phaseSeconds: 60,
  rate: 100,
  drainSeconds: 30,
  engineOnly: false,
  json: false,
});

/** Defaults of `--engine-only` (also `--stand-in`): 10,000 shards and 10 workers. */
export const ENGINE_ONLY_DEFAULTS = Object.freeze({ shards: 10_000, workers: 10 });

/** Time allowed for setting up (servers, stream, table) and shutting down, on top of the phases. */
const SETUP_AND_TEARDOWN_SECONDS = 180;

/** The default hard bound: setup and teardown, every phase, and the drain. */
export function defaultMaxSeconds(options: Pick<ScaleBenchOptions, 'workers' | 'phaseSeconds' | 'drainSeconds'>): number {
  return SETUP_AND_TEARDOWN_SECONDS + options.workers * options.phaseSeconds + options.drainSeconds;
}

export const USAGE = `Usage: pnpm bench:scale [--shards S] [--workers W] [--backend redis|dynamodb] [--stealing]
                        [--phase-seconds P] [--rate R] [--drain-seconds D] [--max-seconds M] [--engine-only] [--json]

Starts kinesalite (own process) with a stream of S shards and a lease store (redis-server, or dynalite in its own
process), then W worker processes (each a @kcl/core Worker, default config but TRIM_HORIZON) that join one by one,
one every P seconds, while a producer puts R records per second. Per phase (phase k = after the k-th join) it prints
the time to fair share (phase 1: the first worker holds every lease; each worker within 5 % of S/k), lease-store
load (Redis INFO commandstats deltas; DynamoDB requests per operation counted in the workers), Kinesis calls, and
per worker RSS, heap, event-loop delay p99/max and CPU %. At the end: records delivered, lost and duplicated.

  --shards S            shards of the stream (default ${DEFAULT_SCALE_OPTIONS.shards}; ${ENGINE_ONLY_DEFAULTS.shards} with --engine-only)
  --workers W           worker processes, joining one per phase (default ${DEFAULT_SCALE_OPTIONS.workers}; ${ENGINE_ONLY_DEFAULTS.workers} with --engine-only)
  --backend B           lease store: redis (redis-server) or dynamodb (dynalite) (default ${DEFAULT_SCALE_OPTIONS.backend})
  --stealing            turn lease stealing on (the config default is off)
  --phase-seconds P     seconds per phase, i.e. between joins and after the last one (default ${DEFAULT_SCALE_OPTIONS.phaseSeconds});
                        also --join-interval
  --rate R              records per second the producer puts, 0 for none (default ${DEFAULT_SCALE_OPTIONS.rate})
  --drain-seconds D     after the producer stops, wait at most D seconds for delivery (default ${DEFAULT_SCALE_OPTIONS.drainSeconds})
  --max-seconds M       hard bound on the whole run (default ${SETUP_AND_TEARDOWN_SECONDS} + W x P + D)
  --engine-only         use a Kinesis stand-in (own process, 127.0.0.1) that answers ListShards, GetShardIterator and
                        GetRecords (always empty) cheaply instead of kinesalite: lease-engine load only, no producer;
                        also --stand-in
  --json                print one JSON summary
`;

export { UsageError };

const BACKENDS: readonly ScaleBackend[] = ['redis', 'dynamodb'];

/** Parses argv (without node and script). Throws UsageError naming the bad flag; returns 'help' for --help. */
export function parseScaleArgs(argv: readonly string[]): ScaleBenchOptions | 'help' {
  const options: Omit<ScaleBenchOptions, 'maxSeconds'> = { ...DEFAULT_SCALE_OPTIONS };
  let shards: number | undefined;
  let workers: number | undefined;
  let maxSeconds: number | undefined;
  let rateGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const next = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '--shards':
        shards = parseIntFlag('shards', next(), 1, 100_000);
        break;
      case '--workers':
        workers = parseIntFlag('workers', next(), 1, 64);
        break;
      case '--backend': {
        const value = next();
        if (!BACKENDS.includes(value as ScaleBackend)) {
          throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(value ?? '')}`);
        }
        options.backend = value as ScaleBackend;
        break;
      }
      case '--stealing':
        options.stealing = true;
        break;
      case '--phase-seconds':
      case '--join-interval':
        options.phaseSeconds = parseIntFlag(flag.slice(2), next(), 1, 3_600);
        break;
      case '--rate':
        options.rate = parseIntFlag('rate', next(), 0, 5_000);
        rateGiven = true;
        break;
      case '--drain-seconds':
        options.drainSeconds = parseIntFlag('drain-seconds', next(), 1, 600);
        break;
      case '--max-seconds':
        maxSeconds = parseIntFlag('max-seconds', next(), 10, 86_400);
        break;
      case '--engine-only':
      case '--stand-in':
        options.engineOnly = true;
        break;
      case '--json':
        options.json = true;
        break;
      case '--help':
      case '-h':
        return 'help';
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  options.shards = shards ?? (options.engineOnly ? ENGINE_ONLY_DEFAULTS.shards : DEFAULT_SCALE_OPTIONS.shards);
  options.workers = workers ?? (options.engineOnly ? ENGINE_ONLY_DEFAULTS.workers : DEFAULT_SCALE_OPTIONS.workers);
  if (options.engineOnly) {
    if (rateGiven && options.rate > 0) throw new UsageError('--rate cannot be used with --engine-only (the stand-in holds no records)');
    options.rate = 0;
  }
  return { ...options, maxSeconds: maxSeconds ?? defaultMaxSeconds(options) };
}

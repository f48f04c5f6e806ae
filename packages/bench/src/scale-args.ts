/** Command-line options of `pnpm bench:scale`. */
import { parseFlags, UsageError, type FlagSpec } from '@kcl/testbed';

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
  /**
   * Workers send GetRecords through the AWS SDK's `send` (`WorkerOptions.leanGetRecords: false`) instead of core's
   * lean path: the engine as it was before the lean path, for comparison.
   */
  sdkGetRecords: boolean;
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
  sdkGetRecords: false,
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
                        [--phase-seconds P] [--rate R] [--drain-seconds D] [--max-seconds M] [--engine-only] [--sdk-get-records] [--json]

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
  --sdk-get-records     workers send GetRecords through the AWS SDK's send instead of core's lean path (the engine
                        before the lean path, for comparison)
  --json                print one JSON summary
`;

export { UsageError };

const BACKENDS: readonly ScaleBackend[] = ['redis', 'dynamodb'];

const FLAGS = {
  shards: { kind: 'int', min: 1, max: 100_000 },
  workers: { kind: 'int', min: 1, max: 64 },
  backend: { kind: 'choice', choices: BACKENDS },
  stealing: { kind: 'switch' },
  'phase-seconds': { kind: 'int', min: 1, max: 3_600, aliases: ['join-interval'] },
  rate: { kind: 'int', min: 0, max: 5_000 },
  'drain-seconds': { kind: 'int', min: 1, max: 600 },
  'max-seconds': { kind: 'int', min: 10, max: 86_400 },
  'engine-only': { kind: 'switch', aliases: ['stand-in'] },
  json: { kind: 'switch' },
  'sdk-get-records': { kind: 'switch' },
} as const satisfies Record<string, FlagSpec>;

/** Parses argv (without node and script). Throws UsageError naming the bad flag; returns 'help' for --help. */
export function parseScaleArgs(argv: readonly string[]): ScaleBenchOptions | 'help' {
  const { help, values } = parseFlags(argv, FLAGS);
  if (help) return 'help';
  const d = DEFAULT_SCALE_OPTIONS;
  const engineOnly = values['engine-only'] ?? d.engineOnly;
  if (engineOnly && (values.rate ?? 0) > 0) throw new UsageError('--rate cannot be used with --engine-only (the stand-in holds no records)');
  const options: Omit<ScaleBenchOptions, 'maxSeconds'> = {
    shards: values.shards ?? (engineOnly ? ENGINE_ONLY_DEFAULTS.shards : d.shards),
    workers: values.workers ?? (engineOnly ? ENGINE_ONLY_DEFAULTS.workers : d.workers),
    backend: (values.backend as ScaleBackend | undefined) ?? d.backend,
    stealing: values.stealing ?? d.stealing,
    phaseSeconds: values['phase-seconds'] ?? d.phaseSeconds,
    rate: engineOnly ? 0 : (values.rate ?? d.rate),
    drainSeconds: values['drain-seconds'] ?? d.drainSeconds,
    engineOnly,
    json: values.json ?? d.json,
    sdkGetRecords: values['sdk-get-records'] ?? d.sdkGetRecords,
  };
  return { ...options, maxSeconds: values['max-seconds'] ?? defaultMaxSeconds(options) };
}

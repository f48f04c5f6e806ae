/** Command-line options of `pnpm bench:drain`. */
import { parseIntFlag, UsageError } from '@kcl/testbed';

export interface DrainBenchOptions {
  /** Records preloaded into the stream (spread evenly over the shards). */
  records: number;
  /** Shards of the stream. */
  shards: number;
  /** Size of each record's data in bytes. */
  recordBytes: number;
  /** Measured runs of each side (the figures are medians over them). */
  runs: number;
  /** Unmeasured warm-up drains of each side first (JIT, module loading, first connections). */
  warmup: number;
  /** `Limit` of every GetRecords call, on both sides (the worker's `withMaxRecords`). */
  maxRecords: number;
  /** Print one JSON line instead of the table. */
  json: boolean;
}

export const DEFAULT_DRAIN_OPTIONS: Readonly<DrainBenchOptions> = Object.freeze({
  records: 40_000,
  shards: 4,
  recordBytes: 1024,
  runs: 3,
  warmup: 1,
  maxRecords: 10_000,
  json: false,
});

export const USAGE = `Usage: pnpm bench:drain [--records N] [--shards S] [--record-bytes B] [--runs R] [--warmup W] [--max-records M] [--json]

Preloads a kinesalite stream (S shards, N records of B bytes, PutRecords 500 per call), then drains it with one
Worker (Redis lease store, checkpoint after every batch) and with a plain GetRecords loop over the same shards (the
same limit of 5 GetRecords per second per shard): W unmeasured warm-up drains per side, then R measured runs per
side, alternating which side goes first. Prints per-run rates, medians, their ratio worker/plain, and the worker's
cold start (start() -> first record delivered).

  --records N       records to preload (default ${DEFAULT_DRAIN_OPTIONS.records})
  --shards S        shards of the stream (default ${DEFAULT_DRAIN_OPTIONS.shards})
  --record-bytes B  bytes of data per record (default ${DEFAULT_DRAIN_OPTIONS.recordBytes})
  --runs R          measured runs per side, figures are medians (default ${DEFAULT_DRAIN_OPTIONS.runs})
  --warmup W        unmeasured warm-up drains per side before the runs (default ${DEFAULT_DRAIN_OPTIONS.warmup})
  --max-records M   GetRecords Limit on both sides (default ${DEFAULT_DRAIN_OPTIONS.maxRecords})
  --json            print one JSON line with every figure
`;

export { UsageError };

/** Parses argv (without node and script). Throws UsageError naming the bad flag; returns 'help' for --help. */
export function parseDrainArgs(argv: readonly string[]): DrainBenchOptions | 'help' {
  const options: DrainBenchOptions = { ...DEFAULT_DRAIN_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const next = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '--records':
        options.records = parseIntFlag('records', next(), 1, 1_000_000);
        break;
      case '--shards':
        options.shards = parseIntFlag('shards', next(), 1, 50);
        break;
      case '--record-bytes':
        options.recordBytes = parseIntFlag('record-bytes', next(), 16, 1_048_576);
        break;
      case '--runs':
        options.runs = parseIntFlag('runs', next(), 1, 20);
        break;
      case '--warmup':
        options.warmup = parseIntFlag('warmup', next(), 0, 5);
        break;
      case '--max-records':
        options.maxRecords = parseIntFlag('max-records', next(), 1, 10_000);
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
  if (options.records < options.shards) throw new UsageError('--records must be at least --shards (every shard gets records)');
  return options;
}

/** Command-line options of `pnpm bench:drain`. */
import { parseFlags, UsageError, type FlagSpec } from '@kcl/testbed';

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

const FLAGS = {
  records: { kind: 'int', min: 1, max: 1_000_000 },
  shards: { kind: 'int', min: 1, max: 50 },
  'record-bytes': { kind: 'int', min: 16, max: 1_048_576 },
  runs: { kind: 'int', min: 1, max: 20 },
  warmup: { kind: 'int', min: 0, max: 5 },
  'max-records': { kind: 'int', min: 1, max: 10_000 },
  json: { kind: 'switch' },
} as const satisfies Record<string, FlagSpec>;

/** Parses argv (without node and script). Throws UsageError naming the bad flag; returns 'help' for --help. */
export function parseDrainArgs(argv: readonly string[]): DrainBenchOptions | 'help' {
  const { help, values } = parseFlags(argv, FLAGS);
  if (help) return 'help';
  const d = DEFAULT_DRAIN_OPTIONS;
  const options: DrainBenchOptions = {
    records: values.records ?? d.records,
    shards: values.shards ?? d.shards,
    recordBytes: values['record-bytes'] ?? d.recordBytes,
    runs: values.runs ?? d.runs,
    warmup: values.warmup ?? d.warmup,
    maxRecords: values['max-records'] ?? d.maxRecords,
    json: values.json ?? d.json,
  };
  if (options.records < options.shards) throw new UsageError('--records must be at least --shards (every shard gets records)');
  return options;
}

/** Command-line options of `pnpm bench:transport`. */
import { parseFlags, parseInteger, UsageError, type FlagSpec } from '@kcl/testbed';
import { TRANSPORT_VARIANTS, type TransportVariant } from './transport-clients';

export interface TransportBenchOptions {
  /** Steady (measured) GetRecords calls per variant, concurrency and run. */
  calls: number;
  /** Unmeasured calls per variant and concurrency first (JIT, module loading, first connections). */
  warmup: number;
  /** Measured runs; CPU per call is the median over them, connections the sum. */
  runs: number;
  /** Numbers of concurrent callers, each measured separately. */
  concurrency: number[];
  /** Records in every GetRecords response. */
  records: number;
  /** Bytes of data per record. */
  recordBytes: number;
  /** The clients compared (always including the keep-alive baseline). */
  variants: TransportVariant[];
  /** Print one JSON line instead of the table. */
  json: boolean;
}

export const DEFAULT_TRANSPORT_OPTIONS: Readonly<TransportBenchOptions> = Object.freeze({
  calls: 1_000,
  warmup: 200,
  runs: 3,
  concurrency: [1, 8],
  records: 100,
  recordBytes: 1024,
  variants: [...TRANSPORT_VARIANTS],
  json: false,
});

export const TRANSPORT_USAGE = `Usage: pnpm bench:transport [--calls N] [--warmup W] [--runs R] [--concurrency 1,8] [--records K] [--record-bytes B] [--json]

Starts a TLS server on 127.0.0.1 (HTTP/2 and HTTP/1.1, throwaway CA) in a child process that answers GetRecords
with K records of B bytes, then measures each Kinesis client (worker-default: createKinesisClient from @kcl/core as
the worker builds it; sdk-default: new KinesisClient(); keep-alive: HTTP/1.1 keep-alive NodeHttpHandler, the
baseline; http2-pooled: the SDK's HTTP/2 handler with pooled sessions) in its own child process (NODE_EXTRA_CA_CERTS):
W warm-up calls, then R runs of N calls per concurrency. Prints new TLS connections per 1,000 steady calls and client
CPU per call, with the ratio to keep-alive. Targets for worker-default: connections per 1,000 calls <= concurrency,
CPU per call <= 1.2 x keep-alive.

  --calls N         measured calls per client, concurrency and run (default ${DEFAULT_TRANSPORT_OPTIONS.calls})
  --warmup W        unmeasured calls per client and concurrency first (default ${DEFAULT_TRANSPORT_OPTIONS.warmup})
  --runs R          measured runs, CPU figures are medians (default ${DEFAULT_TRANSPORT_OPTIONS.runs})
  --concurrency L   comma-separated numbers of concurrent callers (default ${DEFAULT_TRANSPORT_OPTIONS.concurrency.join(',')})
  --records K       records per GetRecords response (default ${DEFAULT_TRANSPORT_OPTIONS.records})
  --record-bytes B  bytes of data per record (default ${DEFAULT_TRANSPORT_OPTIONS.recordBytes})
  --json            print one JSON line with every figure
`;

export { UsageError };

const FLAGS = {
  calls: { kind: 'int', min: 1, max: 100_000 },
  warmup: { kind: 'int', min: 0, max: 100_000 },
  runs: { kind: 'int', min: 1, max: 20 },
  concurrency: { kind: 'text', needs: 'a value (comma-separated integers from 1 to 256)' },
  records: { kind: 'int', min: 1, max: 10_000 },
  'record-bytes': { kind: 'int', min: 1, max: 1_048_576 },
  json: { kind: 'switch' },
} as const satisfies Record<string, FlagSpec>;

/** Parses argv (without node and script). Throws UsageError naming the bad flag; returns 'help' for --help. */
export function parseTransportArgs(argv: readonly string[]): TransportBenchOptions | 'help' {
  const { help, values } = parseFlags(argv, FLAGS);
  if (help) return 'help';
  const d = DEFAULT_TRANSPORT_OPTIONS;
  return {
    ...d,
    calls: values.calls ?? d.calls,
    warmup: values.warmup ?? d.warmup,
    runs: values.runs ?? d.runs,
    concurrency:
      values.concurrency === undefined
        ? [...d.concurrency]
        : [...new Set(values.concurrency.split(',').map((part) => parseInteger('--concurrency', part, 1, 256)))],
    variants: [...d.variants],
    records: values.records ?? d.records,
    recordBytes: values['record-bytes'] ?? d.recordBytes,
    json: values.json ?? d.json,
  };
}

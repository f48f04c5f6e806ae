/** Command-line options of `pnpm bench:transport`. */
import { parseIntFlag, UsageError } from '@kcl/testbed';
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

/** Parses argv (without node and script). Throws UsageError naming the bad flag; returns 'help' for --help. */
export function parseTransportArgs(argv: readonly string[]): TransportBenchOptions | 'help' {
  const options: TransportBenchOptions = {
    ...DEFAULT_TRANSPORT_OPTIONS,
    concurrency: [...DEFAULT_TRANSPORT_OPTIONS.concurrency],
    variants: [...DEFAULT_TRANSPORT_OPTIONS.variants],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const next = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '--calls':
        options.calls = parseIntFlag('calls', next(), 1, 100_000);
        break;
      case '--warmup':
        options.warmup = parseIntFlag('warmup', next(), 0, 100_000);
        break;
      case '--runs':
        options.runs = parseIntFlag('runs', next(), 1, 20);
        break;
      case '--concurrency': {
        const raw = next();
        if (raw === undefined) throw new UsageError('--concurrency needs a value (comma-separated integers from 1 to 256)');
        options.concurrency = [...new Set(raw.split(',').map((part) => parseIntFlag('concurrency', part, 1, 256)))];
        break;
      }
      case '--records':
        options.records = parseIntFlag('records', next(), 1, 10_000);
        break;
      case '--record-bytes':
        options.recordBytes = parseIntFlag('record-bytes', next(), 1, 1_048_576);
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
  return options;
}

/** Command-line options of `pnpm demo`. */
import { parseIntFlag, UsageError } from '@kcl/testbed';

export interface DemoOptions {
  /** Records to produce. */
  records: number;
  /** Shards of the demo stream. */
  shards: number;
  /** Workers sharing the stream (one of them leaves midway when there are at least two). */
  workers: number;
  /** Lease store. */
  backend: 'dynamodb' | 'redis';
  /** Print only the final summary as one JSON line. */
  json: boolean;
  /** Give up waiting for the records after this many seconds (then the missing ones count as lost). */
  timeoutSeconds: number;
}

export const DEFAULT_OPTIONS: DemoOptions = {
  records: 20_000,
  shards: 4,
  workers: 3,
  backend: 'dynamodb',
  json: false,
  timeoutSeconds: 180,
};

export const USAGE = `Usage: pnpm demo [--records N] [--shards S] [--workers W] [--backend dynamodb|redis] [--json] [--timeout SECONDS]

Starts local Kinesis and DynamoDB (or Redis) stand-ins on 127.0.0.1, creates a stream of S shards, produces N
records while W workers share the shards, stops one worker midway so its shards move to the others, and ends with a
summary of records produced, consumed, duplicated and lost. Exit code 1 if any record was lost.

  --records N      records to produce (default ${DEFAULT_OPTIONS.records}, 1-1000000)
  --shards S       shards of the stream (default ${DEFAULT_OPTIONS.shards}, 1-50)
  --workers W      workers sharing the stream (default ${DEFAULT_OPTIONS.workers}, 1-20)
  --backend B      lease store: dynamodb (default) or redis
  --json           print only the final summary as one JSON line
  --timeout SEC    give up after SEC seconds (default ${DEFAULT_OPTIONS.timeoutSeconds})
`;

export { UsageError };

/** Parses argv (without node and script). Throws UsageError naming the bad flag; returns 'help' for --help. */
export function parseArgs(argv: readonly string[]): DemoOptions | 'help' {
  const options = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const next = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--':
        break;
      case '-h':
      case '--help':
        return 'help';
      case '--json':
        options.json = true;
        break;
      case '--records':
        options.records = parseIntFlag('records', next(), 1, 1_000_000);
        break;
      case '--shards':
        options.shards = parseIntFlag('shards', next(), 1, 50);
        break;
      case '--workers':
        options.workers = parseIntFlag('workers', next(), 1, 20);
        break;
      case '--timeout':
        options.timeoutSeconds = parseIntFlag('timeout', next(), 5, 86_400);
        break;
      case '--backend': {
        const value = next();
        if (value !== 'dynamodb' && value !== 'redis') {
          throw new UsageError(`--backend must be "dynamodb" or "redis", got ${JSON.stringify(value ?? '')}`);
        }
        options.backend = value;
        break;
      }
      default:
        throw new UsageError(`unknown option ${JSON.stringify(arg)}; see --help`);
    }
  }
  return options;
}

/** Command-line options of `pnpm demo`. */
import { parseFlags, UsageError, type FlagSpec } from '@kcl/testbed';

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

const FLAGS = {
  records: { kind: 'int', min: 1, max: 1_000_000 },
  shards: { kind: 'int', min: 1, max: 50 },
  workers: { kind: 'int', min: 1, max: 20 },
  timeout: { kind: 'int', min: 5, max: 86_400 },
  backend: { kind: 'choice', choices: ['dynamodb', 'redis'] },
  json: { kind: 'switch' },
} as const satisfies Record<string, FlagSpec>;

/** Parses argv (without node and script). Throws UsageError naming the bad flag; returns 'help' for --help. */
export function parseArgs(argv: readonly string[]): DemoOptions | 'help' {
  const { help, values } = parseFlags(argv, FLAGS);
  if (help) return 'help';
  const d = DEFAULT_OPTIONS;
  return {
    records: values.records ?? d.records,
    shards: values.shards ?? d.shards,
    workers: values.workers ?? d.workers,
    backend: (values.backend as DemoOptions['backend'] | undefined) ?? d.backend,
    json: values.json ?? d.json,
    timeoutSeconds: values.timeout ?? d.timeoutSeconds,
  };
}

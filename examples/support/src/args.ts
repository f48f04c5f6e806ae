import { ConfigError } from '@kcl/core';
import { parseFlags, UsageError, type FlagSpec } from '@kcl/testbed';

/** Command-line options every example accepts. */
export interface ExampleArgs {
  /**
   * Local test bed only: sample records written to the fresh stream before the worker starts.
   * @defaultValue 100
   */
  records: number;
  /**
   * Local test bed only: keep running (and keep writing `rate` records a second) until Ctrl-C instead of exiting
   * once the sample records were consumed.
   * @defaultValue false
   */
  forever: boolean;
  /**
   * Local test bed with `forever` only: records written per second after the first `records`.
   * @defaultValue 10
   */
  rate: number;
  /**
   * Local test bed only: give up (exit code 1) when the sample records were not all consumed within this time.
   * @defaultValue 60
   */
  timeoutSeconds: number;
  /** `--help` was given. @defaultValue false */
  help: boolean;
}

export const EXAMPLE_USAGE = `Options:
  --records N          local test bed: sample records to write (default 100)
  --forever            local test bed: keep writing --rate records/s and run until Ctrl-C
  --rate N             records per second with --forever (default 10)
  --timeout-seconds N  local test bed: fail if the sample is not consumed in time (default 60)
  -h, --help           show this help

Runs on a local test bed (in-process Kinesis and DynamoDB stand-ins, redis-server) unless KCL_STREAM_NAME,
AWS_REGION and AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE or AWS_WEB_IDENTITY_TOKEN_FILE) are set: then it
consumes that existing stream until Ctrl-C. KCL_KINESIS_ENDPOINT, KCL_DYNAMODB_ENDPOINT and KCL_REDIS_URL point it
at servers that are already running (e.g. from \`pnpm local:up\` or docker/compose.yaml).
`;

const FLAGS = {
  records: { kind: 'int', min: 1, max: 1_000_000 },
  forever: { kind: 'switch' },
  rate: { kind: 'int', min: 1, max: 10_000 },
  'timeout-seconds': { kind: 'int', min: 1, max: 86_400 },
} as const satisfies Record<string, FlagSpec>;

/**
 * Parses the example options (`--records 50`, `--records=50`, `--forever`, ...).
 * @throws ConfigError naming the flag for an unknown flag or a bad value
 */
export function parseExampleArgs(argv: readonly string[]): ExampleArgs {
  let parsed;
  try {
    parsed = parseFlags(argv, FLAGS);
  } catch (error) {
    if (error instanceof UsageError) throw new ConfigError(error.flag, error.value, error.expected);
    throw error;
  }
  const { help, values } = parsed;
  return {
    records: values.records ?? 100,
    forever: values.forever ?? false,
    rate: values.rate ?? 10,
    timeoutSeconds: values['timeout-seconds'] ?? 60,
    help,
  };
}

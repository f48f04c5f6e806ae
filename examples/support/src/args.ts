import { ConfigError } from '@kcl/core';

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

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(flag, text, `an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * Parses the example options (`--records 50`, `--records=50`, `--forever`, ...).
 * @throws ConfigError naming the flag for an unknown flag or a bad value
 */
export function parseExampleArgs(argv: readonly string[]): ExampleArgs {
  const args: ExampleArgs = { records: 100, forever: false, rate: 10, timeoutSeconds: 60, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] as string).split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--':
        break; // `pnpm start -- --records 5` passes the separator through
      case '-h':
      case '--help':
        args.help = true;
        break;
      case '--records':
        args.records = integer(flag, value(), 1, 1_000_000);
        break;
      case '--forever':
        args.forever = true;
        break;
      case '--rate':
        args.rate = integer(flag, value(), 1, 10_000);
        break;
      case '--timeout-seconds':
        args.timeoutSeconds = integer(flag, value(), 1, 86_400);
        break;
      default:
        throw new ConfigError('argument', flag, 'one of --records, --forever, --rate, --timeout-seconds, --help');
    }
  }
  return args;
}

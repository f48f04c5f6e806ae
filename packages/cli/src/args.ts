/**
 * The command line of `kcl`, parsed with `node:util` parseArgs: `kcl <command> [--option value | --option=value]...`.
 * Every value is checked here; anything wrong is a {@link CliUsageError} naming the option (exit code 2).
 */
import { parseArgs } from 'node:util';
import { CliUsageError } from './errors';

/** The commands of `kcl`. */
export const COMMANDS = ['leases', 'lag', 'reset', 'release'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Lease stores `--store` accepts. */
export type StoreKind = 'dynamodb' | 'redis';

/** Where `reset --to` moves the checkpoint: a sentinel position or a sequence number. */
export type ResetTarget = 'TRIM_HORIZON' | 'LATEST' | { sequenceNumber: string };

/** A parsed, checked command line. */
export interface CliOptions {
  command: CommandName;
  app: string;
  stream: string;
  store: StoreKind;
  /** Lease table; defaults to the application name. */
  table: string;
  region: string | undefined;
  /** DynamoDB endpoint. */
  endpoint: string | undefined;
  redisUrl: string;
  keyPrefix: string;
  kinesisEndpoint: string | undefined;
  json: boolean;
  failoverMillis: number;
  observeMillis: number;
  shard: string | undefined;
  to: ResetTarget | undefined;
  force: boolean;
}

/** Option name -> parseArgs type, and the commands that take it (all when omitted). */
const OPTIONS: Record<string, { type: 'string' | 'boolean'; commands?: readonly CommandName[] }> = {
  app: { type: 'string' },
  stream: { type: 'string' },
  store: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'redis-url': { type: 'string' },
  'key-prefix': { type: 'string' },
  'kinesis-endpoint': { type: 'string', commands: ['lag'] },
  json: { type: 'boolean' },
  'failover-ms': { type: 'string', commands: ['reset', 'release'] },
  'observe-ms': { type: 'string', commands: ['leases', 'lag'] },
  shard: { type: 'string', commands: ['reset', 'release'] },
  to: { type: 'string', commands: ['reset'] },
  force: { type: 'boolean', commands: ['reset', 'release'] },
  help: { type: 'boolean' },
};

export const DEFAULT_FAILOVER_MILLIS = 10_000;
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_KEY_PREFIX = 'kcl';
const MAX_MILLIS = 86_400_000;

/** `kcl --help` / `kcl <command> --help` was asked for. */
export interface HelpRequest {
  help: true;
  command: CommandName | undefined;
}

/**
 * Parses `argv` (without the node and script paths).
 * @throws CliUsageError naming the bad option
 */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliOptions | HelpRequest {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv.filter((a) => a !== '--'), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? 'argument';
    throw new CliUsageError(`${message}. See kcl --help.`, option);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const [commandText, ...rest] = parsed.positionals;
  const command = COMMANDS.find((c) => c === commandText);
  if (values.help === true) return { help: true, command };
  if (commandText === undefined) throw new CliUsageError(`kcl needs a command: ${COMMANDS.join(', ')}. See kcl --help.`, 'command');
  if (!command) throw new CliUsageError(`Unknown command '${commandText}': use one of ${COMMANDS.join(', ')}.`, 'command');
  if (rest.length > 0) throw new CliUsageError(`Unexpected argument '${rest[0]}' after kcl ${command}.`, 'argument');
  for (const [name, spec] of Object.entries(OPTIONS)) {
    if (values[name] !== undefined && spec.commands && !spec.commands.includes(command)) {
      throw new CliUsageError(`--${name} is not an option of kcl ${command} (only of kcl ${spec.commands.join(', kcl ')}).`, `--${name}`);
    }
  }
  const text = (name: string): string | undefined => {
    const value = values[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim().length === 0) throw new CliUsageError(`--${name} needs a non-empty value.`, `--${name}`);
    return value;
  };
  const required = (name: string, what: string): string => {
    const value = text(name);
    if (value === undefined) throw new CliUsageError(`kcl ${command} needs --${name} (${what}).`, `--${name}`);
    return value;
  };
  const app = required('app', 'the application name');
  const store = text('store') ?? 'dynamodb';
  if (store !== 'dynamodb' && store !== 'redis') throw new CliUsageError(`--store must be dynamodb or redis, got '${store}'.`, '--store');
  const options: CliOptions = {
    command,
    app,
    stream: required('stream', 'the stream name'),
    store,
    table: text('table') ?? app,
    region: text('region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    endpoint: url('--endpoint', text('endpoint'), ['http:', 'https:']),
    redisUrl: url('--redis-url', text('redis-url'), ['redis:', 'rediss:']) ?? DEFAULT_REDIS_URL,
    keyPrefix: text('key-prefix') ?? DEFAULT_KEY_PREFIX,
    kinesisEndpoint: url('--kinesis-endpoint', text('kinesis-endpoint'), ['http:', 'https:']),
    json: values.json === true,
    failoverMillis: millis('--failover-ms', text('failover-ms'), DEFAULT_FAILOVER_MILLIS, 1),
    observeMillis: millis('--observe-ms', text('observe-ms'), 0, 0),
    shard: command === 'reset' || command === 'release' ? required('shard', 'the shard id, e.g. shardId-000000000001') : undefined,
    to: command === 'reset' ? resetTarget(required('to', 'TRIM_HORIZON, LATEST or a sequence number')) : undefined,
    force: values.force === true,
  };
  const needsRegion = store === 'dynamodb' || command === 'lag';
  if (needsRegion && options.region === undefined) {
    throw new CliUsageError(`kcl ${command} --store ${store} needs --region (or AWS_REGION in the environment).`, '--region');
  }
  if (store === 'redis' && options.endpoint !== undefined) {
    throw new CliUsageError('--endpoint is the DynamoDB endpoint; with --store redis use --redis-url.', '--endpoint');
  }
  return options;
}

function url(option: string, value: string | undefined, protocols: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new CliUsageError(`${option} must be a URL (${protocols.map((p) => `${p}//`).join(' or ')}), got '${value}'.`, option);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new CliUsageError(`${option} must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL, got '${parsed.protocol}//...'.`, option);
  }
  return value;
}

function millis(option: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > MAX_MILLIS) {
    throw new CliUsageError(`${option} must be an integer from ${min} to ${MAX_MILLIS} (milliseconds), got '${value}'.`, option);
  }
  return n;
}

function resetTarget(value: string): ResetTarget {
  if (value === 'TRIM_HORIZON' || value === 'LATEST') return value;
  if (/^[1-9]\d{0,128}$/.test(value)) return { sequenceNumber: value };
  throw new CliUsageError(`--to must be TRIM_HORIZON, LATEST or a sequence number (digits, no leading zero), got '${value}'.`, '--to');
}

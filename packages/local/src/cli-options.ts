/**
 * The command line of `kcl-local`, parsed with node:util parseArgs into one Command. Anything wrong is a
 * LOCAL_BAD_OPTION LocalError whose message names the option or argument (the CLI exits 2 with it).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_PORTS } from './stack';
import { LocalError } from './errors';

/** Where the stream commands find Kinesis when neither --endpoint nor KCL_KINESIS_ENDPOINT says. */
export const DEFAULT_KINESIS_ENDPOINT = `http://127.0.0.1:${DEFAULT_PORTS.kinesis}`;
/** Records `put` writes without --records. */
export const DEFAULT_PUT_RECORDS = 1000;

export type Command =
  | { name: 'help' }
  | { name: 'up'; kinesisPort: number; dynamodbPort: number; redisPort: number; redis: boolean; shardLimit: number }
  | { name: 'stream-create'; endpoint: string; stream: string; shards: number }
  | { name: 'stream-delete'; endpoint: string; stream: string }
  | { name: 'stream-list'; endpoint: string }
  | { name: 'put'; endpoint: string; stream: string; records: number };

export const USAGE = `Usage: kcl-local <command> [options]

Commands:
  up                       start Kinesis, DynamoDB and Redis on 127.0.0.1, print their endpoints as export lines,
                           stay up until Ctrl-C (SIGINT) or SIGTERM
    --kinesis-port N       Kinesis stand-in port (default ${DEFAULT_PORTS.kinesis}; 0 = a free port)
    --dynamodb-port N      DynamoDB stand-in port (default ${DEFAULT_PORTS.dynamodb}; 0 = a free port)
    --redis-port N         Redis port: a Redis answering there is used, else redis-server is started
                           (default ${DEFAULT_PORTS.redis}; 0 = start one on a free port)
    --no-redis             do not provide Redis
    --shard-limit N        shards allowed in all streams together (default 1000)
  stream create NAME       create a stream and wait until it is ACTIVE
    --shards N             number of shards (default 1)
  stream delete NAME       delete a stream and wait until it is gone
  stream list              print the names of all streams, one a line
  put NAME                 put generated records (partition key key-<n>, data {"n":<n}) into a stream
    --records N            how many (default ${DEFAULT_PUT_RECORDS})

Options of the stream and put commands:
  --endpoint URL           the Kinesis endpoint (default: $KCL_KINESIS_ENDPOINT, else ${DEFAULT_KINESIS_ENDPOINT})
  -h, --help               show this help

Exit codes: 0 done, 1 failed, 2 bad usage.
`;

function usageError(message: string): LocalError {
  return new LocalError('LOCAL_BAD_OPTION', 'kcl-local', message);
}

/** Parses `--name` as a whole number from min to max. */
function wholeNumber(option: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (/^\d+$/.test(raw) && value >= min && value <= max) return value;
  throw usageError(`--${option} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs in strict mode; its errors (unknown option, missing value) become LOCAL_BAD_OPTION. */
function strictParse(args: string[], options: Options): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
}

/** Exactly the positionals expected (e.g. the stream name); names what is missing or extra. */
function positionals(command: string, found: string[], names: string[]): string[] {
  if (found.length < names.length) throw usageError(`${command} needs ${names.slice(found.length).join(' ')}`);
  if (found.length > names.length) throw usageError(`${command}: unexpected argument ${JSON.stringify(found[names.length])}`);
  return found;
}

const ENDPOINT_OPTIONS: Options = { endpoint: { type: 'string' } };

function endpointOf(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): string {
  const endpoint = values.endpoint ?? env.KCL_KINESIS_ENDPOINT ?? DEFAULT_KINESIS_ENDPOINT;
  if (typeof endpoint !== 'string' || !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw usageError(`--endpoint must be an http:// or https:// URL, got ${JSON.stringify(endpoint)}`);
  }
  return endpoint;
}

function parseUp(args: string[]): Command {
  const { values, positionals: rest } = strictParse(args, {
    'kinesis-port': { type: 'string' },
    'dynamodb-port': { type: 'string' },
    'redis-port': { type: 'string' },
    'no-redis': { type: 'boolean' },
    'shard-limit': { type: 'string' },
  });
  if (values.help === true) return { name: 'help' };
  positionals('up', rest, []);
  const port = (option: string, fallback: number): number => wholeNumber(option, values[option] as string | undefined, fallback, 0, 65535);
  return {
    name: 'up',
    kinesisPort: port('kinesis-port', DEFAULT_PORTS.kinesis),
    dynamodbPort: port('dynamodb-port', DEFAULT_PORTS.dynamodb),
    redisPort: port('redis-port', DEFAULT_PORTS.redis),
    redis: values['no-redis'] !== true,
    shardLimit: wholeNumber('shard-limit', values['shard-limit'] as string | undefined, 1000, 1, 100_000),
  };
}

function parseStream(args: string[], env: NodeJS.ProcessEnv): Command {
  const [action, ...rest] = args;
  if (action === '-h' || action === '--help') return { name: 'help' };
  if (action === 'list') {
    const { values, positionals: found } = strictParse(rest, ENDPOINT_OPTIONS);
    if (values.help === true) return { name: 'help' };
    positionals('stream list', found, []);
    return { name: 'stream-list', endpoint: endpointOf(values, env) };
  }
  if (action === 'create') {
    const { values, positionals: found } = strictParse(rest, { ...ENDPOINT_OPTIONS, shards: { type: 'string' } });
    if (values.help === true) return { name: 'help' };
    const [stream] = positionals('stream create', found, ['NAME']) as [string];
    const shards = wholeNumber('shards', values.shards as string | undefined, 1, 1, 10_000);
    return { name: 'stream-create', endpoint: endpointOf(values, env), stream, shards };
  }
  if (action === 'delete') {
    const { values, positionals: found } = strictParse(rest, ENDPOINT_OPTIONS);
    if (values.help === true) return { name: 'help' };
    const [stream] = positionals('stream delete', found, ['NAME']) as [string];
    return { name: 'stream-delete', endpoint: endpointOf(values, env), stream };
  }
  throw usageError(
    action === undefined ? 'stream needs create, delete or list' : `unknown stream command ${JSON.stringify(action)}; known: create, delete, list`,
  );
}

function parsePut(args: string[], env: NodeJS.ProcessEnv): Command {
  const { values, positionals: found } = strictParse(args, { ...ENDPOINT_OPTIONS, records: { type: 'string' } });
  if (values.help === true) return { name: 'help' };
  const [stream] = positionals('put', found, ['NAME']) as [string];
  const records = wholeNumber('records', values.records as string | undefined, DEFAULT_PUT_RECORDS, 1, 10_000_000);
  return { name: 'put', endpoint: endpointOf(values, env), stream, records };
}

/**
 * Parses `argv` (without node and the script) into a Command.
 * @throws LocalError LOCAL_BAD_OPTION naming the bad command, option or value
 */
export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Command {
  const [command, ...rest] = argv.filter((arg) => arg !== '--');
  switch (command) {
    case undefined:
      throw usageError('a command is needed: up, stream or put (see --help)');
    case 'help':
    case '-h':
    case '--help':
      return { name: 'help' };
    case 'up':
      return parseUp(rest);
    case 'stream':
      return parseStream(rest, env);
    case 'put':
      return parsePut(rest, env);
    default:
      throw usageError(`unknown command ${JSON.stringify(command)}; known: up, stream, put`);
  }
}

/** What each `kcl-local` command does, given its parsed Command; returns the exit code. */
import { createKinesisClient } from './clients';
import type { Command } from './cli-options';
import { putRecords } from './put-records';
import { startLocalStack, type LocalStack } from './stack';
import { createStream, deleteStream, listStreams } from './streams';

/** Where the commands write: `out` for results (stdout), `err` for diagnostics (stderr). Each call is one line. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The lines `up` prints: shell `export` lines of the endpoints, everything else as `#` comments (eval-safe). */
export function describeStack(stack: LocalStack): string[] {
  const lines = ['# @kcl/local: stand-ins on 127.0.0.1 (Kinesis: kinesalite, DynamoDB: dynalite)'];
  for (const [key, value] of Object.entries(stack.env)) lines.push(`export ${key}=${value}`);
  if (stack.redis)
    lines.push(
      `# Redis: ${stack.redis.origin === 'existing' ? 'using the server already running' : 'started redis-server'} on port ${stack.redis.port}`,
    );
  else if (stack.redisAbsent !== undefined) lines.push(`# Redis: absent (${stack.redisAbsent})`);
  lines.push('# ready; Ctrl-C (SIGINT) or SIGTERM stops everything');
  return lines;
}

/** Resolves with the first of SIGINT / SIGTERM; a second signal exits at once with code 1. */
function nextSignal(io: CliOutput): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      const again = (): void => {
        io.err(`kcl-local: second signal, exiting without waiting`);
        process.exit(1);
      };
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      resolve(signal);
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
  });
}

async function up(command: Extract<Command, { name: 'up' }>, io: CliOutput): Promise<number> {
  const signal = nextSignal(io);
  const stack = await startLocalStack({
    kinesisPort: command.kinesisPort,
    dynamodbPort: command.dynamodbPort,
    redisPort: command.redisPort,
    redis: command.redis,
    shardLimit: command.shardLimit,
  });
  for (const line of describeStack(stack)) io.out(line);
  io.err(`# ${await signal}: stopping`);
  await stack.stop();
  io.err('# stopped');
  return 0;
}

/** Runs a stream or put command with a Kinesis client for its endpoint. */
async function withKinesis(endpoint: string, body: (client: ReturnType<typeof createKinesisClient>) => Promise<void>): Promise<number> {
  const client = createKinesisClient(endpoint);
  try {
    await body(client);
    return 0;
  } finally {
    client.destroy();
  }
}

/** Runs `command`; rejects with the LocalError of a failure (the CLI maps it to its exit code). */
export async function runCli(command: Command, io: CliOutput, usage: string): Promise<number> {
  switch (command.name) {
    case 'help':
      io.out(usage.trimEnd());
      return 0;
    case 'up':
      return up(command, io);
    case 'stream-create':
      return withKinesis(command.endpoint, async (client) => {
        await createStream(client, command.stream, { shards: command.shards });
        io.out(`created stream ${command.stream} with ${command.shards} shard(s); ACTIVE`);
      });
    case 'stream-delete':
      return withKinesis(command.endpoint, async (client) => {
        await deleteStream(client, command.stream);
        io.out(`deleted stream ${command.stream}`);
      });
    case 'stream-list':
      return withKinesis(command.endpoint, async (client) => {
        for (const name of await listStreams(client)) io.out(name);
      });
    case 'put':
      return withKinesis(command.endpoint, async (client) => {
        const outcome = await putRecords(client, command.stream, command.records, { retryFailedCalls: true });
        io.out(`put ${outcome.results.length} records into ${command.stream} (${outcome.calls} call(s), ${outcome.retried} retried)`);
      });
  }
}

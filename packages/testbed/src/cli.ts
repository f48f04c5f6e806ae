#!/usr/bin/env node
// `pnpm local:up`: starts the local stand-ins for manual use, prints their endpoints (also as KEY=value lines for
// examples), and stops them on Ctrl-C (SIGINT) or SIGTERM.
// The pinned AWS SDK warns on every start that later releases need Node 22; that is known and not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { SERVER_NAMES, startAll, type LocalServers, type ServerName, type StartAllOptions } from './start-all';
import { parseFlags, parseInteger, UsageError, type FlagSpec } from './cli-args';

const PORT = { kind: 'int', min: 0, max: 65535 } as const;
const FLAGS = {
  'kinesis-port': { ...PORT, aliases: ['kinesalite-port'] },
  'kinesis-local-port': PORT,
  'dynamodb-port': { ...PORT, aliases: ['dynalite-port'] },
  'redis-port': PORT,
  only: { kind: 'text', needs: `a comma-separated list of ${SERVER_NAMES.join(', ')}` },
} as const satisfies Record<string, FlagSpec>;
const PORT_FLAGS: Record<'kinesis-port' | 'kinesis-local-port' | 'dynamodb-port' | 'redis-port', ServerName> = {
  'kinesis-port': 'kinesalite',
  'kinesis-local-port': 'kinesis-local',
  'dynamodb-port': 'dynalite',
  'redis-port': 'redis',
};
const PORT_ENV: Record<ServerName, string> = {
  kinesalite: 'KCL_KINESIS_PORT',
  'kinesis-local': 'KCL_KINESIS_LOCAL_PORT',
  dynalite: 'KCL_DYNAMODB_PORT',
  redis: 'KCL_REDIS_PORT',
};

const USAGE = `Usage: pnpm local:up [options]

Starts local stand-ins on 127.0.0.1 and keeps them running until Ctrl-C.

Options:
  --kinesis-port N        kinesalite port        (env KCL_KINESIS_PORT; default: a free port)
  --kinesis-local-port N  kinesis-local port     (env KCL_KINESIS_LOCAL_PORT)
  --dynamodb-port N       dynalite port          (env KCL_DYNAMODB_PORT)
  --redis-port N          redis-server port      (env KCL_REDIS_PORT)
  --only a,b              start only these: ${SERVER_NAMES.join(', ')}
  -h, --help              show this help
`;

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): StartAllOptions | 'help' {
  const ports: Partial<Record<ServerName, number>> = {};
  for (const name of SERVER_NAMES) {
    const fromEnv = env[PORT_ENV[name]];
    if (fromEnv !== undefined && fromEnv !== '') ports[name] = parseInteger(PORT_ENV[name], fromEnv, 0, 65535);
  }
  const { help, values } = parseFlags(argv, FLAGS);
  if (help) return 'help';
  for (const [flag, server] of Object.entries(PORT_FLAGS) as [keyof typeof PORT_FLAGS, ServerName][]) {
    const port = values[flag];
    if (port !== undefined) ports[server] = port;
  }
  if (values.only === undefined) return { ports };
  const list = values.only
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = list.filter((name) => !(SERVER_NAMES as readonly string[]).includes(name));
  if (list.length === 0 || unknown.length > 0) {
    throw new UsageError(`--only takes a comma-separated list of ${SERVER_NAMES.join(', ')}; got ${JSON.stringify(list.join(','))}`);
  }
  return { ports, servers: list as ServerName[] };
}

function describe(servers: LocalServers): string {
  const rows: [string, string, string, number | undefined][] = [];
  if (servers.kinesalite) rows.push(['kinesalite', servers.kinesalite.endpoint, 'Kinesis, fast; polling', servers.startupMs.kinesalite]);
  if (servers.kinesisLocal) {
    rows.push([
      'kinesis-local',
      servers.kinesisLocal.endpoint,
      'Kinesis: ChildShards, UpdateShardCount, fan-out',
      servers.startupMs['kinesis-local'],
    ]);
  }
  if (servers.dynalite) rows.push(['dynalite', servers.dynalite.endpoint, 'DynamoDB', servers.startupMs.dynalite]);
  if (servers.redis) rows.push(['redis-server', servers.redis.url, 'Redis', servers.startupMs.redis]);
  const lines = rows.map(([name, url, note, ms]) => `  ${name.padEnd(14)} ${url.padEnd(28)} ${note} (started in ${String(ms)} ms)`);
  const env = Object.entries(servers.env).map(([key, value]) => `${key}=${value}`);
  return [
    '@kcl/testbed: local stand-ins are up on 127.0.0.1',
    ...lines,
    '',
    '# environment for examples (e.g. save as .env):',
    ...env,
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}

async function main(): Promise<void> {
  let options: StartAllOptions | 'help';
  try {
    options = parseArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`local:up: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  let servers: LocalServers;
  try {
    servers = await startAll(options);
  } catch (error) {
    process.stderr.write(`local:up: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  process.stdout.write(`${describe(servers)}\n`);
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      process.stderr.write(`local:up: second ${signal}, exiting without waiting\n`);
      process.exit(1);
    }
    process.stdout.write(`\n${signal}: stopping...\n`);
    servers.stop().then(
      () => {
        process.stdout.write('stopped\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`local:up: error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`local:up: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

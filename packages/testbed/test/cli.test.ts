import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { getFreePort, localDynamoClient, localKinesisClient, startRedis, waitForPort } from '../src';
import { parseArgs } from '../src/cli';
import { redisCommand } from '../src/redis-command';
import { PACKAGE_DIR } from './support';

const CLI = join(PACKAGE_DIR, 'dist', 'cli.js');

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitForOutput(run: Run, text: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.stdout().includes(text)) {
    if (run.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`CLI did not print ${JSON.stringify(text)}; stdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function envLines(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout.split('\n').flatMap((line) => {
      const match = /^([A-Z_]+)=(.*)$/.exec(line);
      return match ? [[match[1] as string, match[2] as string]] : [];
    }),
  );
}

async function refused(port: number): Promise<boolean> {
  return waitForPort(port, { timeoutMs: 0 }).then(
    () => false,
    () => true,
  );
}

describe('pnpm local:up (dist/cli.js)', () => {
  it('starts every stand-in, prints endpoints and env lines, and stops on SIGINT with exit code 0', async () => {
    const run = runCli([]);
    try {
      await waitForOutput(run, 'Press Ctrl-C to stop.');
    } catch (error) {
      run.child.kill('SIGKILL');
      throw error;
    }
    const env = envLines(run.stdout());
    expect(Object.keys(env).sort()).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
      'KCL_DYNAMODB_ENDPOINT',
      'KCL_KINESIS_ENDPOINT',
      'KCL_KINESIS_LOCAL_ENDPOINT',
      'KCL_REDIS_URL',
    ]);
    for (const name of ['kinesalite', 'kinesis-local', 'dynalite', 'redis-server']) expect(run.stdout()).toContain(name);

    const kinesalite = localKinesisClient(env.KCL_KINESIS_ENDPOINT as string);
    const kinesisLocal = localKinesisClient(env.KCL_KINESIS_LOCAL_ENDPOINT as string);
    const dynamo = localDynamoClient(env.KCL_DYNAMODB_ENDPOINT as string);
    try {
      await expect(kinesalite.send(new ListStreamsCommand({}))).resolves.toMatchObject({ StreamNames: [] });
      await expect(kinesisLocal.send(new ListStreamsCommand({}))).resolves.toMatchObject({ StreamNames: [] });
      await expect(dynamo.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    } finally {
      kinesalite.destroy();
      kinesisLocal.destroy();
      dynamo.destroy();
    }
    const redisUrl = new URL(env.KCL_REDIS_URL as string);
    expect(await redisCommand({ host: redisUrl.hostname, port: Number(redisUrl.port) }, ['PING'])).toBe('PONG');

    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toContain('stopped');
    const ports = ['KCL_KINESIS_ENDPOINT', 'KCL_KINESIS_LOCAL_ENDPOINT', 'KCL_DYNAMODB_ENDPOINT', 'KCL_REDIS_URL'].map((key) =>
      Number(new URL(env[key] as string).port),
    );
    for (const port of ports) expect(await refused(port)).toBe(true);
  });

  it('uses a fixed port given by flag and stops on SIGTERM', async () => {
    const port = await getFreePort();
    const run = runCli(['--only', 'redis', '--redis-port', String(port)]);
    await waitForOutput(run, 'Press Ctrl-C to stop.');
    expect(envLines(run.stdout()).KCL_REDIS_URL).toBe(`redis://127.0.0.1:${port}`);
    expect(run.stdout()).not.toContain('kinesalite');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('exits 1 with a clear message when a server cannot start', async () => {
    const busy = await startRedis();
    try {
      const run = runCli(['--only', 'redis,dynalite'], { KCL_REDIS_PORT: String(busy.port) });
      expect(await run.exit).toBe(1);
      expect(run.stderr()).toMatch(/could not start 1 server\(s\):\nredis: \[redis-server\].*Address already in use/s);
    } finally {
      await busy.stop();
    }
  });

  it('exits 2 with usage on an unknown option', async () => {
    const run = runCli(['--bogus']);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain('unknown option "--bogus"');
    expect(run.stderr()).toContain('Usage: pnpm local:up');
  });
});

describe('parseArgs', () => {
  it('reads ports from flags (both forms) and env, flags winning', () => {
    expect(parseArgs(['--kinesis-port', '4567', '--dynamodb-port=8000'], { KCL_REDIS_PORT: '6390', KCL_KINESIS_PORT: '1' })).toEqual({
      ports: { kinesalite: 4567, dynalite: 8000, redis: 6390 },
    });
  });

  it('parses --only and rejects bad values', () => {
    expect(parseArgs(['--only', 'redis,kinesis-local'], {})).toEqual({ ports: {}, servers: ['redis', 'kinesis-local'] });
    expect(() => parseArgs(['--only', 'mysql'], {})).toThrow(/--only takes/);
    expect(() => parseArgs(['--redis-port', 'abc'], {})).toThrow(/--redis-port must be an integer from 0 to 65535, got "abc"/);
    expect(() => parseArgs([], { KCL_DYNAMODB_PORT: '99999' })).toThrow(/KCL_DYNAMODB_PORT must be an integer from 0 to 65535, got "99999"/);
    expect(parseArgs(['--help'], {})).toBe('help');
    expect(parseArgs(['--', '--redis-port', '7000'], {})).toEqual({ ports: { redis: 7000 } });
  });
});

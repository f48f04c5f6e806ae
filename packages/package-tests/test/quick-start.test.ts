// The README's quick start, as a user outside this repository follows it: a fresh project installs the packed
// tarballs of @kcl/core, @kcl/checkpoint-dynamodb and @kcl/local with npm, `npx kcl-local up` starts the stand-ins
// (on free ports here), `kcl-local stream create` and `put` make 1,000 records, and the README's consumer.mjs
// consumes them all and exits with code 0 on SIGINT.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packPackages, pinnedSdkVersions, repoRoot } from './pack';
import { publicPackage } from './public-packages';

const MARKER = '<!-- quick-start:consumer.mjs';
const RECORDS = 1000;

/** The first ```js block after the marker comment in the root README. */
function consumerFromReadme(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const at = readme.indexOf(MARKER);
  if (at < 0) throw new Error(`README.md has no ${MARKER} marker`);
  const block = /```js\n([\s\S]*?)\n```/.exec(readme.slice(at));
  if (!block?.[1]) throw new Error('no ```js block after the quick-start marker');
  return `${block[1]}\n`;
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exit: Promise<number | null>;
}

/** Runs `command` in a process group of its own, so a signal to the group reaches it as Ctrl-C in a terminal would. */
function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Running {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, detached: true });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

/** Signals the whole process group (npx does not pass a signal sent to it alone on to the command it runs). */
function signalGroup(running: Running, signal: NodeJS.Signals): void {
  const { child } = running;
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(-child.pid, signal);
}

async function waitForOutput(running: Running, pattern: RegExp, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(running.output())) {
    if (running.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${what}; output so far:\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('README quick start, outside the repository', () => {
  let project: string;
  let up: Running | undefined;
  let env: Record<string, string>;
  const kclLocal = (args: string[]): Promise<{ stdout: string }> =>
    promisify(execFile)('npx', ['--no', 'kcl-local', ...args], { cwd: project, env: { ...process.env, ...env }, encoding: 'utf8' });

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'kcl-quick-start-'));
    const names = ['@kcl/core', '@kcl/checkpoint-dynamodb', '@kcl/local'];
    const tarballs = packPackages(names.map(publicPackage), join(project, 'tarballs'));
    const dependencies = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:./tarballs/${file}`]));
    // The AWS SDK versions this repository tests (the packages declare caret ranges). Installed with pnpm from the
    // workspace's store (as pack-and-load does): npm from a cold cache takes minutes, and the README's `npx` commands
    // run the same node_modules/.bin either way. The stand-ins' native leveldown build is allowed as in the workspace.
    const pnpm = { overrides: pinnedSdkVersions(), onlyBuiltDependencies: ['leveldown', 'classic-level'] };
    const manifest = { name: 'orders-counter', version: '1.0.0', private: true, dependencies, pnpm };
    writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    await promisify(execFile)('pnpm', ['install', '--prefer-offline', '--ignore-workspace', '--config.strict-peer-dependencies=false'], {
      cwd: project,
    });
  }, 300_000);

  afterAll(async () => {
    if (up && up.child.exitCode === null && up.child.signalCode === null) {
      signalGroup(up, 'SIGTERM');
      await up.exit;
    }
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it(`npx kcl-local up / stream create / put ${RECORDS}, then consumer.mjs consumes every record and exits 0 on SIGINT`, async () => {
    env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    up = start('npx', ['--no', 'kcl-local', 'up', '--kinesis-port', '0', '--dynamodb-port', '0', '--redis-port', '0'], project, env);
    await waitForOutput(up, /^# ready/m, 'ready line from kcl-local up');
    for (const match of up.output().matchAll(/^export (KCL_[A-Z_]+)=(\S+)$/gm)) env[match[1]!] = match[2]!;
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['KCL_KINESIS_ENDPOINT', 'KCL_DYNAMODB_ENDPOINT', 'KCL_REDIS_URL']));

    expect((await kclLocal(['stream', 'create', 'orders', '--shards', '4'])).stdout).toMatch(/created stream orders with 4 shard/);
    expect((await kclLocal(['put', 'orders', '--records', String(RECORDS)])).stdout).toMatch(new RegExp(`^put ${RECORDS} records into orders`));

    writeFileSync(join(project, 'consumer.mjs'), consumerFromReadme());
    const consumer = start(process.execPath, ['consumer.mjs'], project, env);
    try {
      await waitForOutput(consumer, new RegExp(`^consumed ${RECORDS} records$`, 'm'), `"consumed ${RECORDS} records"`);
    } finally {
      signalGroup(consumer, 'SIGINT');
    }
    expect(await consumer.exit).toBe(0);
    const counts = [...consumer.output().matchAll(/^consumed (\d+) records$/gm)].map((m) => Number(m[1]));
    // Distinct sequence numbers: exactly the records put, none missed (and none invented).
    expect(Math.max(...counts)).toBe(RECORDS);
    expect(consumer.output()).toMatch(new RegExp(`^SIGINT: stopping after ${RECORDS} records$`, 'm'));
    expect(consumer.output()).toMatch(/^stopped$/m);

    // kcl-local prints "# stopped" just before it exits with code 0; npx itself then ends by the same SIGINT.
    signalGroup(up, 'SIGINT');
    const upExit = await up.exit;
    expect(up.output()).toMatch(/^# stopped$/m);
    expect(upExit === 0 || up.child.signalCode === 'SIGINT').toBe(true);
  });

  it('starts the stand-ins from an ES module application (the ESM build loads kinesalite and dynalite)', async () => {
    const script = [
      "import { startLocalStack } from '@kcl/local';",
      'const stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0, redis: false });',
      'console.log(JSON.stringify(stack.env));',
      'await stack.stop();',
    ].join('\n');
    writeFileSync(join(project, 'stack.mjs'), script);
    const { stdout } = await promisify(execFile)(process.execPath, ['stack.mjs'], { cwd: project, encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual({
      KCL_KINESIS_ENDPOINT: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      KCL_DYNAMODB_ENDPOINT: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
  });
});

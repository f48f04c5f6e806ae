// Runs the built command (dist/cli.js, built by the package's build before its tests) as a user would.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const CLI = join(__dirname, '..', 'dist', 'cli.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function kclLocal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('kcl-local (dist/cli.js)', () => {
  it('up prints export lines, serves stream create / list / put / delete, and exits 0 on SIGTERM', async () => {
    const up = spawn(process.execPath, [CLI, 'up', '--kinesis-port', '0', '--dynamodb-port', '0', '--redis-port', '0']);
    let stdout = '';
    up.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => up.once('exit', resolve));
    try {
      while (!stdout.includes('# ready')) {
        if (up.exitCode !== null) throw new Error(`up exited early: ${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const exports: Record<string, string> = Object.fromEntries([...stdout.matchAll(/^export (KCL_[A-Z_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
      expect(Object.keys(exports).sort()).toEqual(['KCL_DYNAMODB_ENDPOINT', 'KCL_KINESIS_ENDPOINT', 'KCL_REDIS_URL']);
      expect(exports.KCL_KINESIS_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const env = { KCL_KINESIS_ENDPOINT: exports.KCL_KINESIS_ENDPOINT };
      expect(await kclLocal(['stream', 'create', 'orders', '--shards', '4'], env)).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/created stream orders with 4 shard/),
      });
      expect(await kclLocal(['put', 'orders', '--records', '1000'], env)).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^put 1000 records into orders/),
      });
      expect(await kclLocal(['stream', 'list', '--endpoint', exports.KCL_KINESIS_ENDPOINT!])).toMatchObject({ code: 0, stdout: 'orders\n' });
      expect(await kclLocal(['stream', 'delete', 'orders'], env)).toMatchObject({ code: 0 });
      expect(await kclLocal(['stream', 'delete', 'orders'], env)).toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/KINESIS_FAILED|ResourceNotFound/),
      });
    } finally {
      up.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('exits 2 with a message naming the bad option, and 1 when Kinesis cannot be reached', async () => {
    const bad = await kclLocal(['stream', 'create', 'orders', '--shards', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--shards must be an integer/);
    const unreachable = await kclLocal(['stream', 'list', '--endpoint', 'http://127.0.0.1:1']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/ListStreams failed/);
  });

  it('prints its usage on --help with exit code 0', async () => {
    const help = await kclLocal(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['up', 'stream create NAME', 'stream delete NAME', 'stream list', 'put NAME', '--records N', '--endpoint URL']) {
      expect(help.stdout).toContain(command);
    }
  });
});

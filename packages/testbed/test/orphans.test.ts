import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_DIR, processAlive, waitForProcessExit } from './support';

// A parent process that starts redis-server and kinesis-local and prints their pids; then it either dies from SIGKILL
// (no exit handlers run: the kernel's parent-death signal must kill the children) or calls process.exit without
// stop() (the exit hook must kill them).
const PARENT = `
const t = require(${JSON.stringify(join(PACKAGE_DIR, 'dist', 'index.js'))});
const { redisCommand } = require(${JSON.stringify(join(PACKAGE_DIR, 'dist', 'redis-command.js'))});
(async () => {
  const redis = await t.startRedis();
  const info = await redisCommand({ host: redis.host, port: redis.port }, ['INFO', 'server']);
  const kinesis = process.argv[1] === 'with-kinesis' ? await t.startKinesisLocal() : undefined;
  console.log(JSON.stringify({ redis: Number(/process_id:(\\d+)/.exec(info)[1]), kinesis: kinesis && kinesis.pid }));
  if (process.argv[2] === 'exit') process.exit(0);
  setInterval(() => undefined, 1000);
})();
`;

async function startParent(...args: string[]): Promise<{ pids: number[]; kill: () => void; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, ['-e', PARENT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`parent exited with ${String(code)} before printing pids: ${out}`)));
  });
  const parsed = JSON.parse(line) as { redis: number; kinesis?: number };
  return { pids: [parsed.redis, ...(parsed.kinesis ? [parsed.kinesis] : [])], kill: () => child.kill('SIGKILL'), exited };
}

describe('no orphan servers', () => {
  it('kills redis-server and kinesis-local when the parent is SIGKILLed', async () => {
    const parent = await startParent('with-kinesis', 'stay');
    expect(parent.pids).toHaveLength(2);
    for (const pid of parent.pids) expect(processAlive(pid)).toBe(true);
    parent.kill();
    await parent.exited;
    for (const pid of parent.pids) await waitForProcessExit(pid, 3000);
  });

  it('kills redis-server when the parent exits without calling stop()', async () => {
    const parent = await startParent('redis-only', 'exit');
    await parent.exited;
    await waitForProcessExit(parent.pids[0] as number, 3000);
  });
});

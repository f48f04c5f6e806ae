import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cli = join(__dirname, '..', 'dist', 'cli.js');

// The demo end to end, as CI and users run it: `--json` prints one summary line; exit 0 only when nothing was lost.
describe.each(['dynamodb', 'redis'])('pnpm demo --json --backend %s', (backend) => {
  it('consumes every record with several workers while one leaves midway', async () => {
    const { stdout } = await run(
      'node',
      [cli, '--json', '--records', '3000', '--shards', '4', '--workers', '3', '--backend', backend, '--timeout', '90'],
      {
        timeout: 120_000,
      },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(summary).toMatchObject({ produced: 3000, consumed: 3000, lost: 0, backend, shards: 4, workers: 3, stoppedWorker: 'worker-1' });
    expect(summary.outOfOrder).toBe(0);
    expect(typeof summary.duplicates).toBe('number');
  }, 150_000);
});

describe('demo command line', () => {
  it('exits 2 with a clear message on a bad flag', async () => {
    await expect(run('node', [cli, '--backend', 'postgres'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--backend must be'),
    });
  });
});

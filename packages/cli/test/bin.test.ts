/** The `kcl` executable (dist/bin.js, built by `pnpm build`): exit codes of a real process; a missing backend. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BackendMissingError } from '../src/errors';
import { loadBackend } from '../src/stores/load-backend';

const bin = join(__dirname, '..', 'dist', 'bin.js');

test('bad usage exits with code 2 and names the option; --help exits 0', () => {
  const bad = spawnSync(process.execPath, [bin, 'leases', '--app', 'a', '--stream', 's', '--store', 'mysql'], { encoding: 'utf8' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('--store must be dynamodb or redis');
  const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  expect(help.status).toBe(0);
  expect(help.stdout).toContain('Exit codes: 0 ok, 1 refused or failed, 2 bad usage.');
});

test('a lease store that cannot be reached exits with code 1 and says why', () => {
  const run = spawnSync(process.execPath, [bin, 'leases', '--app', 'a', '--stream', 's', '--store', 'redis', '--redis-url', 'redis://127.0.0.1:1'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/^kcl: /);
});

test('a backend that is not installed is a BackendMissingError naming the package to install', () => {
  expect(() => loadBackend('@kcl/checkpoint-nonexistent', 'x')).toThrow(BackendMissingError);
  expect(() => loadBackend('@kcl/checkpoint-nonexistent', 'x')).toThrow('npm install @kcl/checkpoint-nonexistent');
});

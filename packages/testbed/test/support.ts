// Helpers shared by the test files (not a test file itself).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const PACKAGE_DIR = join(__dirname, '..');

/** Builds dist/ with tsc if it is missing or older than any file in src/ (tests that spawn dist/cli.js need it). */
export function ensureBuilt(): void {
  const cli = join(PACKAGE_DIR, 'dist', 'cli.js');
  const built = existsSync(cli) ? statSync(cli).mtimeMs : 0;
  const src = join(PACKAGE_DIR, 'src');
  const newest = Math.max(...readdirSync(src).map((file) => statSync(join(src, file)).mtimeMs));
  if (built >= newest) return;
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.json'], { cwd: PACKAGE_DIR, stdio: 'inherit' });
}

/**
 * True if a process with this pid exists and is not a zombie (an orphan killed after its parent died stays a zombie
 * until init reaps it, which can take a while in a container).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may contain spaces, so split after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return !existsSync('/proc/self/stat'); // no procfs: trust kill(0)
  }
}

/** Resolves when `pid` is gone; rejects after timeoutMs. */
export async function waitForProcessExit(pid: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Local addresses of the LISTEN sockets on `port`, read from /proc/net/tcp and tcp6 (Linux), e.g. ['127.0.0.1'] or
 * ['0.0.0.0'] or ['::'].
 */
export function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [address, localPort] = (fields[1] ?? '').split(':');
      if (localPort !== hexPort || fields[3] !== '0A' || address === undefined) continue;
      if (address.length === 8) {
        // IPv4, little-endian hex
        found.push([6, 4, 2, 0].map((i) => parseInt(address.slice(i, i + 2), 16)).join('.'));
      } else {
        found.push(/^0+$/.test(address) ? '::' : address === '0000000000000000FFFF00000100007F' ? '::ffff:127.0.0.1' : `ipv6:${address}`);
      }
    }
  }
  return found;
}

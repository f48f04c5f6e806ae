/**
 * Runs the test files that call {@link runExclusively} one at a time, while jest's second worker goes on with the
 * others. The worker-process suites (several worker processes each, timing bounds of a failover time) are what two
 * cores cannot run two of at once: paired, their hand-off and failover bounds slip (measured: 2 of 3 paired runs of
 * process-failover and process-leader failed, on this branch and before it). A lock directory in the temp dir, one
 * per checkout; a lock whose holder process is gone is taken over.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const LOCK_DIR = join(tmpdir(), `kcl-it-exclusive-${createHash('sha1').update(__dirname).digest('hex').slice(0, 12)}`);
const PID_FILE = join(LOCK_DIR, 'pid');
/** Longest wait for the other suites (the longest worker-process suite runs about 40 s; five of them in a row). */
const WAIT_MILLIS = 300_000;

function holderGone(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(PID_FILE, 'utf8'));
  } catch {
    return false; // just created, its pid not written yet
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function acquire(): Promise<void> {
  const deadline = Date.now() + WAIT_MILLIS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(PID_FILE, String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (holderGone()) rmSync(LOCK_DIR, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`another worker-process suite held ${LOCK_DIR} for ${WAIT_MILLIS} ms`);
    else await delay(100);
  }
}

/** Call at the top of a test file, before its other hooks: the file's tests run while no other such file runs. */
export function runExclusively(): void {
  beforeAll(acquire, WAIT_MILLIS + 10_000);
  afterAll(() => rmSync(LOCK_DIR, { recursive: true, force: true }));
}

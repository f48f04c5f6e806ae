/**
 * Child processes of the coordinator (worker processes, the kinesalite process): `node` running one of this
 * package's entry files, compiled (`dist/*.js`) or, when the coordinator itself runs from `src/` (tests), the
 * TypeScript source through scripts/ts-register.js. On Linux the child gets `setpriv --pdeathsig KILL`, so it dies
 * with the coordinator even if the coordinator is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { extname, join } from 'node:path';

const SETPRIV = '/usr/bin/setpriv';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildHandle {
  readonly pid: number;
  readonly process: ChildProcess;
  readonly exited: Promise<ChildExit>;
  /** Exit status once exited. */
  readonly exit: ChildExit | undefined;
  signal(signal: NodeJS.Signals): void;
}

/** Node arguments that run entry `name` (e.g. `worker-main`) of this package. */
export function entryArgs(name: string): string[] {
  const ext = extname(__filename);
  const file = join(__dirname, `${name}${ext}`);
  if (ext === '.ts') return ['-r', join(__dirname, '..', 'scripts', 'ts-register.js'), file];
  return [file];
}

/**
 * Starts `node <entry>` with `env` added. stdout is piped (for entries that report on it); stderr goes to
 * `stderrFile` when given (appended), else is ignored.
 */
export function spawnEntry(name: string, options: { env?: Record<string, string>; stderrFile?: string; args?: string[] } = {}): ChildHandle {
  const argv = [...entryArgs(name), ...(options.args ?? [])];
  const useSetpriv = process.platform === 'linux' && existsSync(SETPRIV);
  const [file, args] = useSetpriv ? [SETPRIV, ['--pdeathsig', 'KILL', process.execPath, ...argv]] : [process.execPath, argv];
  const errFd = options.stderrFile ? openSync(options.stderrFile, 'a') : undefined;
  const child = spawn(file, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', errFd ?? 'ignore'],
  });
  if (errFd !== undefined) closeSync(errFd);
  let exit: ChildExit | undefined;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
    child.once('error', () => {
      if (child.pid === undefined) {
        exit = { code: null, signal: null };
        resolve(exit);
      }
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const pid = child.pid;
  return {
    pid,
    process: child,
    exited,
    get exit() {
      return exit;
    },
    signal(signal) {
      if (exit) return;
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    },
  };
}

/** Resolves with the exit, or undefined after `ms`. */
export async function waitExit(child: ChildHandle, ms: number): Promise<ChildExit | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  const result = await Promise.race([child.exited, timeout]);
  clearTimeout(timer);
  return result;
}

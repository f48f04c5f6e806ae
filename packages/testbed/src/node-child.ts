/**
 * Node child processes of tests and tools (worker processes, fixtures): `node <entry>` where a `.ts` entry runs
 * through the {@link TS_REGISTER_PRELOAD} preload, stdout piped or not, stderr inherited, ignored or appended to a
 * file. On Linux the child gets `setpriv --pdeathsig KILL`, so it dies with its parent even if the parent is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';

const SETPRIV = '/usr/bin/setpriv';

/** Absolute path of the preload that transpiles `.ts` files on require (`preload/ts-register.cjs` of this package). */
export const TS_REGISTER_PRELOAD = join(__dirname, '..', 'preload', 'ts-register.cjs');

/** How a node child ended. */
export interface NodeChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running (or ended) node child. */
export interface NodeChild {
  readonly pid: number;
  readonly process: ChildProcess;
  /** Resolves once the child exited (also when it could not be started). */
  readonly exited: Promise<NodeChildExit>;
  /** The exit once it exited, else undefined. */
  readonly exit: NodeChildExit | undefined;
  /** Sends `signal` to the child; a no-op once it exited. Never throws. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves with the exit, or undefined when the child is still running after `ms`. */
  waitExit(ms: number): Promise<NodeChildExit | undefined>;
}

/** Options of {@link spawnNodeChild}. */
export interface NodeChildOptions {
  /** Arguments after the entry file. @defaultValue none */
  args?: readonly string[];
  /** Added to this process's environment. @defaultValue nothing added */
  env?: Record<string, string>;
  /** Node options before the entry (e.g. `--disable-warning=...`). @defaultValue none */
  nodeOptions?: readonly string[];
  /** `'pipe'` to read `child.process.stdout`. @defaultValue 'pipe' */
  stdout?: 'pipe' | 'ignore' | 'inherit';
  /** `'inherit'`, `'ignore'`, or a file the child's stderr is appended to. @defaultValue 'ignore' */
  stderr?: 'inherit' | 'ignore' | { file: string };
}

/** Node arguments that run `entry`: a `.ts` file through {@link TS_REGISTER_PRELOAD}, anything else as is. */
export function nodeEntryArgs(entry: string): string[] {
  return entry.endsWith('.ts') ? ['-r', TS_REGISTER_PRELOAD, entry] : [entry];
}

/** Starts `node [nodeOptions] <entry> [args]` (see {@link NodeChildOptions}). Throws if it cannot be started. */
export function spawnNodeChild(entry: string, options: NodeChildOptions = {}): NodeChild {
  const argv = [...(options.nodeOptions ?? []), ...nodeEntryArgs(entry), ...(options.args ?? [])];
  const useSetpriv = process.platform === 'linux' && existsSync(SETPRIV);
  const [file, args] = useSetpriv ? [SETPRIV, ['--pdeathsig', 'KILL', process.execPath, ...argv]] : [process.execPath, argv];
  const stderr = options.stderr ?? 'ignore';
  const errFd = typeof stderr === 'object' ? openSync(stderr.file, 'a') : undefined;
  const child = spawn(file, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', options.stdout ?? 'pipe', errFd ?? (stderr as 'inherit' | 'ignore')],
  });
  if (errFd !== undefined) closeSync(errFd);
  let exit: NodeChildExit | undefined;
  const exited = new Promise<NodeChildExit>((resolve) => {
    child.once('exit', (code, signal) => resolve((exit ??= { code, signal })));
    child.once('error', () => {
      if (child.pid === undefined) resolve((exit ??= { code: null, signal: null }));
    });
  });
  if (child.pid === undefined) throw new Error(`could not start node ${entry}`);
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
    async waitExit(ms) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      });
      const result = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      return result;
    },
  };
}

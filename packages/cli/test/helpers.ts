import type { CliIo } from '../src/output';
import { runCli } from '../src/main';

/** Output of one `kcl` run. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `kcl` in-process with local credentials and captures its output. */
export async function kcl(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await runCli(args, io, { AWS_REGION: 'us-east-1', ...env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Calls `tick` every `everyMillis` (a worker's renewals, simulated by raw writes) until the returned stop is called. */
export function every(everyMillis: number, tick: () => Promise<unknown>): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(tick).catch(() => undefined);
  }, everyMillis);
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** Sets the SDK's credentials to the test bed's dummy ones for the calls the CLI makes with the default chain. */
export function useLocalCredentials(): void {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = 'kcl-local';
    process.env.AWS_SECRET_ACCESS_KEY = 'kcl-local';
  });
  afterAll(() => {
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    else process.env.AWS_ACCESS_KEY_ID = saved.id;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  });
}

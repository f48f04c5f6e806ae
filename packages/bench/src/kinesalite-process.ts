import { join } from 'node:path';
import { forkChild } from './child-channel';

/** kinesalite running in a child process. */
export interface KinesaliteProcess {
  endpoint: string;
  /** Stops the child; safe to call twice. */
  stop(): Promise<void>;
}

// The compiled child script. Resolved through dist/ also when this module runs from src/ under ts-jest.
const CHILD_SCRIPT = join(__dirname, '..', 'dist', 'kinesalite-child.js');
// kinesalite allocates many short-lived objects per record read (sequence numbers are parsed with bignumber.js); a
// larger young generation makes its GC pauses shorter and rarer, which cut the run-to-run noise of a 1.5 s drain.
const CHILD_EXEC_ARGV = ['--max-semi-space-size=64'];

/** Starts kinesalite (testbed's startKinesalite) in a child process and resolves with its endpoint. */
export async function startKinesaliteProcess(shardLimit = 100): Promise<KinesaliteProcess> {
  const child = await forkChild(CHILD_SCRIPT, [String(shardLimit)], { execArgv: CHILD_EXEC_ARGV });
  const endpoint = child.ready.endpoint;
  if (typeof endpoint !== 'string') {
    await child.stop();
    throw new Error(`unexpected ready message from the kinesalite child: ${JSON.stringify(child.ready)}`);
  }
  return { endpoint, stop: () => child.stop() };
}

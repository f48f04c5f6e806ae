/** Starts kinesalite in a child process (kinesalite-main) and waits for its port. */
import { createInterface } from 'node:readline';
import { spawnEntry, waitExit, type ChildHandle } from '../child';

export interface KinesisStandIn {
  endpoint: string;
  port: number;
  child: ChildHandle;
  stop(): Promise<void>;
}

export async function startKinesaliteProcess(stderrFile?: string): Promise<KinesisStandIn> {
  const child = spawnEntry('kinesalite-main', stderrFile ? { stderrFile } : {});
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.process.stdout! });
    const timer = setTimeout(() => reject(new Error('kinesalite process did not report its port within 20 s')), 20_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    void child.exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`kinesalite process exited early (${exit.code ?? exit.signal})`));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    child,
    stop: async () => {
      child.signal('SIGTERM');
      if (!(await waitExit(child, 5_000))) {
        child.signal('SIGKILL');
        await child.exited;
      }
    },
  };
}

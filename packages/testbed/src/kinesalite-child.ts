// kinesalite in a child process of its own (see startKinesaliteProcess): argv[2] holds its options as JSON. Reports
// `{ type: 'ready', port }` over IPC; stops when the parent disconnects (or dies) or on SIGTERM.
import { startKinesalite, type KinesaliteOptions } from './kinesalite';

const options = JSON.parse(process.argv[2] ?? '{}') as KinesaliteOptions;

startKinesalite(options).then(
  (server) => {
    process.send?.({ type: 'ready', port: server.port });
    const stop = (): void => {
      void server.stop().finally(() => process.exit(0));
    };
    process.once('disconnect', stop);
    process.once('SIGTERM', stop);
  },
  (error: unknown) => {
    process.stderr.write(`kinesalite failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

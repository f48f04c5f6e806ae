// Runs kinesalite (from @kcl/testbed) in its own process for the benchmark, so the emulator's work does not share the
// event loop being measured. Reports its endpoint over IPC; exits when the parent disconnects (or dies).
import { startKinesalite } from '@kcl/testbed';

const shardLimit = Number(process.argv[2] ?? '100');

startKinesalite({ shardLimit }).then(
  (server) => {
    process.send?.({ type: 'ready', endpoint: server.endpoint });
    process.once('disconnect', () => {
      void server.stop().finally(() => process.exit(0));
    });
  },
  (error: unknown) => {
    process.stderr.write(`kinesalite failed to start: ${String(error)}\n`);
    process.exit(1);
  },
);

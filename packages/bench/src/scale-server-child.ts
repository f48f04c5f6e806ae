// A lease-store or Kinesis stand-in in its own process for `pnpm bench:scale`, so its work does not share the
// coordinator's event loop: `dynalite` (from @kcl/testbed) or `stand-in` (./scale-kinesis-stand-in) with N shards.
// Reports its endpoint over IPC ({type:'ready', endpoint}) and exits when the parent disconnects (or dies).
import { startDynalite } from '@kcl/testbed';
import { startKinesisStandIn } from './scale-kinesis-stand-in';

interface RunningServer {
  endpoint: string;
  stop(): Promise<void>;
}

async function start(kind: string, shards: number): Promise<RunningServer> {
  if (kind === 'dynalite') {
    const server = await startDynalite();
    return { endpoint: server.endpoint, stop: () => server.stop() };
  }
  if (kind === 'stand-in') {
    const server = await startKinesisStandIn(shards);
    return { endpoint: server.endpoint, stop: () => server.close() };
  }
  throw new Error(`unknown server kind ${JSON.stringify(kind)} (dynalite or stand-in)`);
}

start(process.argv[2] ?? '', Number(process.argv[3] ?? '1')).then(
  (server) => {
    process.send?.({ type: 'ready', endpoint: server.endpoint });
    process.once('disconnect', () => {
      void server.stop().finally(() => process.exit(0));
    });
  },
  (error: unknown) => {
    process.stderr.write(`bench:scale server child failed to start: ${String(error)}\n`);
    process.exit(1);
  },
);

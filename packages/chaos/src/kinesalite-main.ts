#!/usr/bin/env node
/**
 * kinesalite in its own process, so the coordinator's event loop (producer, proxies, log tailing) and the stream's
 * server do not slow each other down. Prints `{"port":N}` on stdout once listening; exits on SIGTERM.
 */
import { startKinesalite } from '@kcl/testbed';

async function main(): Promise<void> {
  const server = await startKinesalite({ shardLimit: 1_000 });
  process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  const stop = (): void => {
    void server.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`kinesalite process failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

// The client side of `pnpm bench:transport`, in a child process started with NODE_EXTRA_CA_CERTS (the throwaway CA),
// so every client is measured exactly as built (no CA passed to it). argv: variant endpoint.
// On { type: 'run', calls, concurrency } it makes `calls` GetRecords calls from `concurrency` concurrent callers and
// answers { type: 'done', cpuMicros, millis }: the process CPU time (user + system) and wall time of those calls.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { GetRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { callConcurrently } from '@kcl/testbed';
import { createVariantClient, isTransportVariant } from './transport-clients';

export interface ClientRunRequest {
  type: 'run';
  calls: number;
  concurrency: number;
}

export interface ClientRunResult {
  type: 'done';
  cpuMicros: number;
  millis: number;
  records: number;
}

/** Makes `calls` GetRecords calls from `concurrency` callers; returns the records received. */
export function callGetRecords(client: KinesisClient, calls: number, concurrency: number): Promise<number> {
  return callConcurrently(calls, concurrency, async () => {
    const out = await client.send(new GetRecordsCommand({ ShardIterator: 'bench-iterator' }));
    return out.Records?.length ?? 0;
  });
}

function main(): void {
  const [variant, endpoint] = process.argv.slice(2);
  if (variant === undefined || endpoint === undefined || !isTransportVariant(variant)) {
    throw new Error(`usage: transport-client-child <variant> <endpoint>, got ${String(variant)} ${String(endpoint)}`);
  }
  const client = createVariantClient(variant, endpoint);
  process.on('message', (message: ClientRunRequest) => {
    if (message.type !== 'run') return;
    const cpu = process.cpuUsage();
    const started = performance.now();
    callGetRecords(client, message.calls, message.concurrency).then(
      (records) => {
        const used = process.cpuUsage(cpu);
        const result: ClientRunResult = { type: 'done', cpuMicros: used.user + used.system, millis: performance.now() - started, records };
        process.send?.(result);
      },
      (error: unknown) => {
        process.stderr.write(`transport client (${variant}) failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exit(1);
      },
    );
  });
  process.once('disconnect', () => {
    client.destroy();
    process.exit(0);
  });
  process.send?.({ type: 'ready' });
}

if (require.main === module) main();

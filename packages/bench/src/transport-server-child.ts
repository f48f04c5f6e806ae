// The TLS server of `pnpm bench:transport`, in its own process so its work does not share the measured event loop.
// HTTP/2 over TLS with HTTP/1.1 as well (allowHTTP1), on 127.0.0.1; answers every request with the same GetRecords
// response (100 records of 1 KB, base64 data). Counts new TLS connections ('secureConnection') and requests, and
// reports them over IPC when asked ({ type: 'stats' }). Exits when the parent disconnects.
// argv: keyPath certPath recordCount recordBytes
import { randomBytes } from 'node:crypto';
import { startTlsAnswerServer } from '@kcl/testbed';

export interface TransportServerStats {
  type: 'stats';
  /** TLS connections accepted so far. */
  connections: number;
  /** Requests answered so far. */
  requests: number;
}

/** A valid GetRecords response body: `count` records of `bytes` random bytes each (base64 in the JSON). */
export function getRecordsResponseBody(count: number, bytes: number): Buffer {
  const now = Date.now() / 1000;
  const records = Array.from({ length: count }, (_, i) => ({
    SequenceNumber: (49_600_000_000_000_000_000_000_000_000_000_000_000_000_000n + BigInt(i)).toString(),
    ApproximateArrivalTimestamp: now,
    Data: randomBytes(bytes).toString('base64'),
    PartitionKey: `pk-${i}`,
  }));
  return Buffer.from(JSON.stringify({ Records: records, NextShardIterator: 'bench-iterator', MillisBehindLatest: 0 }));
}

async function main(): Promise<void> {
  const [keyPath, certPath, countArg, bytesArg] = process.argv.slice(2);
  if (keyPath === undefined || certPath === undefined) throw new Error('usage: transport-server-child keyPath certPath [records] [bytes]');
  const body = getRecordsResponseBody(Number(countArg ?? '100'), Number(bytesArg ?? '1024'));
  const server = await startTlsAnswerServer({ keyPath, certPath, body });
  process.send?.({ type: 'ready', port: server.port });
  process.on('message', (message: { type?: unknown }) => {
    if (message.type === 'stats') {
      process.send?.({ type: 'stats', connections: server.connections(), requests: server.requests() } satisfies TransportServerStats);
    }
  });
  process.once('disconnect', () => process.exit(0));
}

if (require.main === module) void main();

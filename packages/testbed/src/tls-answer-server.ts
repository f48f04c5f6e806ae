import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { LOOPBACK } from './free-port';

/** A TLS server on 127.0.0.1 that answers every request with the same body, and counts what reaches it. */
export interface TlsAnswerServer {
  /** `https://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** TLS connections accepted so far (`'secureConnection'`): a client that reuses connections keeps this low. */
  connections(): number;
  /** Requests answered so far. */
  requests(): number;
  /** Closes the server and every open connection. */
  stop(): Promise<void>;
}

export interface TlsAnswerServerOptions {
  /** PEM files of the server certificate, e.g. from `createTestCertificates()`. */
  keyPath: string;
  certPath: string;
  /** The response body of every request. */
  body: string | Buffer;
  /** @defaultValue `'application/x-amz-json-1.1'` (Kinesis; DynamoDB uses 1.0) */
  contentType?: string;
  /** @defaultValue 0 (a free port chosen by the OS) */
  port?: number;
}

/**
 * Starts a TLS server that speaks HTTP/2 and HTTP/1.1 (`allowHTTP1`, as AWS endpoints do) and answers every request
 * with `options.body` - enough for an AWS SDK client whose calls all expect the same answer (a ListShards, a
 * GetRecords, a DescribeTable). Used to count the TLS connections a client opens (connection-reuse tests, bench).
 */
export async function startTlsAnswerServer(options: TlsAnswerServerOptions): Promise<TlsAnswerServer> {
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  const contentType = options.contentType ?? 'application/x-amz-json-1.1';
  let connections = 0;
  let requests = 0;
  const server = createSecureServer({ key: readFileSync(options.keyPath), cert: readFileSync(options.certPath), allowHTTP1: true });
  server.on('secureConnection', () => {
    connections++;
  });
  server.on('request', (req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': contentType, 'content-length': String(body.length) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `https://${LOOPBACK}:${port}`,
    port,
    connections: () => connections,
    requests: () => requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections and HTTP/2 sessions would keep close() waiting.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

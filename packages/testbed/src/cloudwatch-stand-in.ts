/**
 * A local CloudWatch stand-in on 127.0.0.1: decodes the PutMetricData requests the real SDK sends (AWS JSON 1.0
 * protocol, `X-Amz-Target: GraniteServiceVersion20100801.PutMetricData`, body gzip-compressed above the SDK's
 * compression threshold) and can answer 5xx to inject faults.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface ReceivedDatum {
  MetricName: string;
  Dimensions?: Array<{ Name: string; Value: string }>;
  Unit?: string;
  Timestamp?: number;
  Value?: number;
  Values?: number[];
  Counts?: number[];
  StorageResolution?: number;
}

export interface ReceivedRequest {
  target: string | undefined;
  contentType: string | undefined;
  /** `gzip` when the SDK compressed the body (it does above its `requestMinCompressionSizeBytes`, 10 KB by default). */
  contentEncoding: string | undefined;
  /** Bytes of the decoded (uncompressed) body. */
  bodyBytes: number;
  body: { Namespace: string; MetricData: ReceivedDatum[] };
}

export interface CloudWatchStandIn {
  endpoint: string;
  /** Requests answered 200, in order. */
  accepted: ReceivedRequest[];
  /** Number of requests answered with a 500. */
  failed: number;
  /** Answer the next `n` requests with 500 InternalServiceFault. */
  failNext(n: number): void;
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

/** Starts the stand-in on a free 127.0.0.1 port. */
export async function startCloudWatchStandIn(): Promise<CloudWatchStandIn> {
  const accepted: ReceivedRequest[] = [];
  let failures = 0;
  const state = { failed: 0 };
  const server: Server = createServer((req, res) => {
    void readBody(req).then(
      (body) => {
        const target = req.headers['x-amz-target'] as string | undefined;
        if (failures > 0) {
          failures -= 1;
          state.failed += 1;
          res
            .writeHead(500, { 'content-type': 'application/x-amz-json-1.0' })
            .end(JSON.stringify({ __type: 'InternalServiceFault', message: 'injected' }));
          return;
        }
        accepted.push({
          target,
          contentType: req.headers['content-type'],
          contentEncoding: req.headers['content-encoding'],
          bodyBytes: body.length,
          body: JSON.parse(body.toString('utf8')) as ReceivedRequest['body'],
        });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
      },
      (error: unknown) => {
        res
          .writeHead(400, { 'content-type': 'application/x-amz-json-1.0' })
          .end(JSON.stringify({ __type: 'InvalidParameterValue', message: String(error) }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    accepted,
    get failed() {
      return state.failed;
    },
    failNext: (n) => {
      failures = n;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Every datum received, flattened. */
export function receivedData(standIn: Pick<CloudWatchStandIn, 'accepted'>): ReceivedDatum[] {
  return standIn.accepted.flatMap((r) => r.body.MetricData);
}

/** Dimensions of a datum as an object. */
export function datumDimensions(datum: ReceivedDatum): Record<string, string> {
  return Object.fromEntries((datum.Dimensions ?? []).map((d) => [d.Name, d.Value]));
}

/** Sum of all samples of a datum (Value, or Values weighted by Counts). */
export function datumTotal(datum: ReceivedDatum): number {
  if (datum.Value !== undefined) return datum.Value;
  return (datum.Values ?? []).reduce((sum, v, i) => sum + v * (datum.Counts?.[i] ?? 1), 0);
}

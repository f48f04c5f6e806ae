/**
 * An HTTP proxy on 127.0.0.1 in front of kinesalite that can answer a Kinesis call itself: an error answer kinesalite
 * never gives (throttling, an expired iterator, a 5xx), a held request (never answered), or the real answer with
 * its Date header moved (clock skew). It records every request's target and headers. Used to test the lean
 * GetRecords path, which bypasses the SDK middleware the other fault tests inject with.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request. */
export type ProxyAction =
  | { kind: 'forward'; dateOffsetMillis?: number; delayMillis?: number }
  | { kind: 'answer'; status: number; body: string; headers?: Record<string, string> }
  | { kind: 'hang' };

export interface ProxiedRequest {
  /** `X-Amz-Target`, e.g. `Kinesis_20131202.GetRecords`. */
  target: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface KinesisFaultProxy {
  endpoint: string;
  requests: ProxiedRequest[];
  /** Decides per request (default: forward everything). */
  decide: (request: ProxiedRequest, index: number) => ProxyAction;
  /** Forwarded GetRecords / GetShardIterator calls in flight now, and the most at once so far. */
  readsInFlight: number;
  maxReadsInFlight: number;
  /** Forwarded GetShardIterator calls in flight now, and the most at once so far. */
  iteratorsInFlight: number;
  maxIteratorsInFlight: number;
  stop(): Promise<void>;
}

const READ_TARGETS = new Set(['Kinesis_20131202.GetRecords', 'Kinesis_20131202.GetShardIterator']);

/** An error answer of Kinesis's JSON 1.1 protocol. */
export function errorAnswer(status: number, type: string, message: string, headers: Record<string, string> = {}): ProxyAction {
  return {
    kind: 'answer',
    status,
    body: JSON.stringify({ __type: type, message }),
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${type}`, ...headers },
  };
}

export async function startKinesisFaultProxy(targetEndpoint: string): Promise<KinesisFaultProxy> {
  const target = new URL(targetEndpoint);
  const held = new Set<ServerResponse>();
  const proxy: KinesisFaultProxy = {
    endpoint: '',
    requests: [],
    decide: () => ({ kind: 'forward' }),
    readsInFlight: 0,
    maxReadsInFlight: 0,
    iteratorsInFlight: 0,
    maxIteratorsInFlight: 0,
    stop: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const proxied: ProxiedRequest = { target: String(req.headers['x-amz-target'] ?? ''), headers: req.headers, body };
      proxy.requests.push(proxied);
      const action = proxy.decide(proxied, proxy.requests.length - 1);
      if (action.kind === 'hang') {
        held.add(res);
        res.once('close', () => held.delete(res));
        return;
      }
      if (action.kind === 'answer') {
        res.writeHead(action.status, action.headers ?? {});
        res.end(action.body);
        return;
      }
      if (READ_TARGETS.has(proxied.target)) {
        proxy.readsInFlight++;
        proxy.maxReadsInFlight = Math.max(proxy.maxReadsInFlight, proxy.readsInFlight);
        res.once('close', () => proxy.readsInFlight--);
      }
      if (proxied.target === 'Kinesis_20131202.GetShardIterator') {
        proxy.iteratorsInFlight++;
        proxy.maxIteratorsInFlight = Math.max(proxy.maxIteratorsInFlight, proxy.iteratorsInFlight);
        res.once('close', () => proxy.iteratorsInFlight--);
      }
      const forward = (): void => {
        const upstream = httpRequest(
          { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
          (answer) => {
            const headers = { ...answer.headers };
            if (action.dateOffsetMillis !== undefined) headers['date'] = new Date(Date.now() + action.dateOffsetMillis).toUTCString();
            res.writeHead(answer.statusCode ?? 502, headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        upstream.end(body);
      };
      if (action.delayMillis !== undefined && action.delayMillis > 0) setTimeout(forward, action.delayMillis);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** The Kinesis clients `pnpm bench:transport` compares, each built as its users build it. */
import { Agent as HttpsAgent } from 'node:https';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler';
import { createKinesisClient, KinesisClientLibConfig } from '@kcl/core';

/**
 * - `worker-default`: `createKinesisClient` from @kcl/core, as the worker builds it for an https:// endpoint.
 * - `sdk-default`: `new KinesisClient({ region, endpoint, credentials })` (the SDK's Kinesis default: HTTP/2, one
 *   session per request).
 * - `keep-alive`: the baseline, an HTTP/1.1 `NodeHttpHandler` with a keep-alive `https.Agent`.
 * - `http2-pooled`: the SDK's HTTP/2 handler with concurrent streams on pooled sessions (`disableConcurrentStreams:
 *   false`), the other way to reuse connections.
 */
export const TRANSPORT_VARIANTS = ['worker-default', 'sdk-default', 'keep-alive', 'http2-pooled'] as const;
export type TransportVariant = (typeof TRANSPORT_VARIANTS)[number];

/** The variant every other one is compared with. */
export const BASELINE_VARIANT: TransportVariant = 'keep-alive';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };

export function isTransportVariant(value: string): value is TransportVariant {
  return (TRANSPORT_VARIANTS as readonly string[]).includes(value);
}

/** Builds the client of `variant` for `endpoint`. The CA must be trusted by the process (NODE_EXTRA_CA_CERTS). */
export function createVariantClient(variant: TransportVariant, endpoint: string): KinesisClient {
  switch (variant) {
    case 'worker-default':
      return createKinesisClient(
        new KinesisClientLibConfig('bench', 'bench-stream', REGION, 'bench-worker').withKinesisEndpoint(endpoint).withKinesisCredentials(CREDENTIALS),
      );
    case 'sdk-default':
      return new KinesisClient({ region: REGION, endpoint, credentials: CREDENTIALS });
    case 'keep-alive':
      return new KinesisClient({
        region: REGION,
        endpoint,
        credentials: CREDENTIALS,
        requestHandler: new NodeHttpHandler({ httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }) }),
      });
    case 'http2-pooled':
      return new KinesisClient({
        region: REGION,
        endpoint,
        credentials: CREDENTIALS,
        requestHandler: new NodeHttp2Handler({ disableConcurrentStreams: false }),
      });
  }
}

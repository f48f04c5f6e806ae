import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** The region local clients sign for (the stand-ins accept any). */
export const LOCAL_REGION = 'us-east-1';
/** Dummy static credentials the stand-ins accept. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'kcl-local', secretAccessKey: 'kcl-local' } as const;

/** The settings both clients share: endpoint, region, dummy credentials and an HTTP/1.1 handler. */
function localSettings(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: typeof LOCAL_CREDENTIALS;
  requestHandler: NodeHttpHandler;
} {
  return { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, requestHandler: new NodeHttpHandler() };
}

/**
 * A Kinesis client for a local endpoint such as `http://127.0.0.1:4567`: the HTTP/1.1 handler (the SDK's default
 * HTTP/2 handler fails against the stand-ins with ERR_HTTP2_ERROR), dummy credentials, region us-east-1.
 * `overrides` are applied last (e.g. `{ maxAttempts: 1 }`). Call `destroy()` when done.
 */
export function createKinesisClient(endpoint: string, overrides: Partial<KinesisClientConfig> = {}): KinesisClient {
  return new KinesisClient({ ...localSettings(endpoint), ...overrides });
}

/** A DynamoDB client for a local endpoint (HTTP/1.1 handler, dummy credentials, region us-east-1). */
export function createDynamoDBClient(endpoint: string, overrides: Partial<DynamoDBClientConfig> = {}): DynamoDBClient {
  return new DynamoDBClient({ ...localSettings(endpoint), ...overrides });
}

import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisClientLibConfig } from '../config/kcl-config';
import { StreamNotFoundError } from '../errors';

/**
 * The {@link StreamNotFoundError} for a failed start-up ListShards whose cause (or cause's cause) is Kinesis's
 * ResourceNotFoundException; undefined for any other failure. The error names the stream, the region and the
 * endpoint: `config.kinesisEndpoint`, else the injected client's own endpoint when it has one.
 */
export async function streamNotFoundError(
  error: unknown,
  config: KinesisClientLibConfig,
  kinesis: KinesisClient,
  injected: boolean,
): Promise<StreamNotFoundError | undefined> {
  if (!isResourceNotFound(error)) return undefined;
  const region = injected ? ((await clientRegion(kinesis)) ?? config.regionName) : config.regionName;
  const endpoint = injected ? await clientEndpoint(kinesis) : config.kinesisEndpoint;
  return new StreamNotFoundError(config.streamName, region, endpoint, { cause: error });
}

function isResourceNotFound(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if ((current as { name?: unknown }).name === 'ResourceNotFoundException') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

interface EndpointParts {
  protocol?: string;
  hostname?: string;
  port?: number;
  path?: string;
}

async function clientRegion(kinesis: KinesisClient): Promise<string | undefined> {
  try {
    const region = await kinesis.config.region();
    return typeof region === 'string' && region !== '' ? region : undefined;
  } catch {
    return undefined;
  }
}

/** The client's configured endpoint as a URL, or undefined when it resolves AWS's endpoint per request. */
async function clientEndpoint(kinesis: KinesisClient): Promise<string | undefined> {
  try {
    const provider = (kinesis.config as { endpoint?: () => Promise<EndpointParts> }).endpoint;
    if (typeof provider !== 'function') return undefined;
    const endpoint = await provider();
    if (!endpoint?.hostname) return undefined;
    const protocol = (endpoint.protocol ?? 'https:').replace(/:?$/, ':');
    const port = endpoint.port === undefined ? '' : `:${endpoint.port}`;
    return `${protocol}//${endpoint.hostname}${port}${endpoint.path && endpoint.path !== '/' ? endpoint.path : ''}`;
  } catch {
    return undefined;
  }
}

/**
 * Sorts the failures of Kinesis calls into what the consumer does about them.
 * @internal
 */

/**
 * - `aborted`: our own AbortSignal fired (shutdown or lease lost): not an error.
 * - `expired-iterator`: ExpiredIteratorException: get a new iterator and continue.
 * - `throttled`: ProvisionedThroughputExceeded, LimitExceeded, KMS throttling: back off with jitter.
 * - `not-found`: ResourceNotFoundException (stream or shard deleted): back off, it may come back.
 * - `transient`: 5xx, network errors, timeouts: back off.
 * - `other`: everything else (access denied, KMS key disabled, invalid argument...): logged and backed off too,
 *   since the lease is still held and the condition may be fixed by an operator.
 */
export type KinesisErrorKind = 'aborted' | 'expired-iterator' | 'throttled' | 'not-found' | 'transient' | 'other';

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'KMSThrottlingException',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

const TRANSIENT_NAMES = new Set([
  'InternalFailure',
  'InternalFailureException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSInternalException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_ERROR',
]);

export function classifyKinesisError(error: unknown, signal?: AbortSignal): KinesisErrorKind {
  if (signal?.aborted) return 'aborted';
  if (typeof error !== 'object' || error === null) return 'other';
  const e = error as { name?: unknown; code?: unknown; $fault?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const name = typeof e.name === 'string' ? e.name : '';
  // An abort we did not ask for (e.g. a request timeout in the HTTP handler) is a transient failure.
  if (name === 'AbortError') return 'transient';
  if (name === 'ExpiredIteratorException') return 'expired-iterator';
  if (THROTTLING.has(name)) return 'throttled';
  if (name === 'ResourceNotFoundException') return 'not-found';
  if (TRANSIENT_NAMES.has(name)) return 'transient';
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return 'transient';
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number') {
    if (status === 429) return 'throttled';
    if (status >= 500) return 'transient';
  }
  if (e.$fault === 'server') return 'transient';
  return 'other';
}

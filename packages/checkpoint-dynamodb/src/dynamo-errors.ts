/**
 * Maps AWS SDK failures to the @kcl error hierarchy. Classification uses error names, network error codes and HTTP
 * status codes, never message text. Every message names the DynamoDB endpoint and the table.
 */
import { isKclError, LeaseStoreAuthError, LeaseStoreError, LeaseStoreUnavailableError } from '@kcl/core';
import type { KclError } from '@kcl/core';

/** Where a failed call went; used in messages. */
export interface CallContext {
  /** What we were doing, e.g. `DescribeTable` or `checkpoint shardId-000000000001`. */
  operation: string;
  /** The endpoint as shown to the user, e.g. `http://127.0.0.1:8000`. */
  endpoint: string;
  tableName: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

const AUTH_NAMES = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'AccessDeniedException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'ExpiredTokenException',
  'IncompleteSignatureException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
  'UnauthorizedException',
]);

const OVERLOAD_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** The network error code of `error` or of one of its causes, if any. */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  const e = error as SdkErrorShape;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  if (typeof e.name === 'string' && NETWORK_NAMES.has(e.name)) return e.name;
  return networkCode(e.cause, depth + 1);
}

/** The SDK error's name ('Error' for plain errors). */
export function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as SdkErrorShape).name === 'string'
    ? ((error as SdkErrorShape).name as string)
    : 'Error';
}

function hasMetadata(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as SdkErrorShape).$metadata === 'object';
}

function attemptsNote(error: unknown): string {
  const attempts = typeof error === 'object' && error !== null ? (error as SdkErrorShape).$metadata?.attempts : undefined;
  return attempts !== undefined && attempts > 1 ? ` after ${attempts} attempts` : '';
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Converts any failure of a DynamoDB call into a {@link KclError} (KclErrors pass through unchanged). */
export function toKclError(error: unknown, ctx: CallContext): KclError {
  if (isKclError(error)) return error;
  const where = `DynamoDB at ${ctx.endpoint} (${ctx.operation}, table "${ctx.tableName}")`;
  const name = errorName(error);
  const status = typeof error === 'object' && error !== null ? (error as SdkErrorShape).$metadata?.httpStatusCode : undefined;
  const code = networkCode(error);
  if (code !== undefined) {
    return new LeaseStoreUnavailableError(`Cannot reach ${where}${attemptsNote(error)}: ${code}: ${messageOf(error)}`, { cause: error });
  }
  if (name === 'CredentialsProviderError') {
    return new LeaseStoreAuthError(
      `No credentials for ${where}: ${messageOf(error)}. Set config.dynamoDBCredentials or configure the AWS credential chain.`,
      { cause: error },
    );
  }
  if (AUTH_NAMES.has(name) || status === 401 || status === 403) {
    return new LeaseStoreAuthError(
      `${where} rejected the credentials (${name}): ${messageOf(error)}. Check config.dynamoDBCredentials or the AWS credential chain.`,
      { cause: error },
    );
  }
  // The SDK attaches $metadata to every failed call; without an HTTP status no response ever arrived (the transport
  // failed). This also covers network errors whose code the SDK did not keep (it wraps errors of another realm).
  if (status === undefined && hasMetadata(error)) {
    return new LeaseStoreUnavailableError(`Cannot reach ${where}${attemptsNote(error)}: no response: ${messageOf(error)}`, { cause: error });
  }
  if (OVERLOAD_NAMES.has(name) || (typeof error === 'object' && error !== null && (error as SdkErrorShape).$fault === 'server')) {
    return new LeaseStoreUnavailableError(`${where} is throttling or failing${attemptsNote(error)} (${name}): ${messageOf(error)}`, {
      cause: error,
    });
  }
  if (name === 'ResourceNotFoundException') {
    return new LeaseStoreError(`${where}: the table does not exist (${messageOf(error)})`, { cause: error });
  }
  if (status !== undefined && status !== 400) {
    return new LeaseStoreError(`${where} answered HTTP ${status} (${name}): ${messageOf(error)}. Is this address a DynamoDB endpoint?`, {
      cause: error,
    });
  }
  return new LeaseStoreError(`${where} failed (${name}): ${messageOf(error)}`, { cause: error });
}

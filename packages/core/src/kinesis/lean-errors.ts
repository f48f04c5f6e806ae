/**
 * Turns an error answer of a Kinesis JSON 1.1 call into the exception the AWS SDK v3 would throw for it, so code that
 * handles SDK errors (`instanceof ExpiredIteratorException`, `error.name`, `$fault`, `$metadata.httpStatusCode`, the
 * SDK's retry classification) treats an error of the lean GetRecords path exactly as one of `client.send`.
 *
 * As the SDK's JSON 1.1 protocol does: the error code is the body's `__type`, else its `code`, else the
 * `x-amzn-errortype` header, cleaned of everything after `,` or `:` and before `#`
 * (`com.amazonaws.kinesis#ExpiredIteratorException` -> `ExpiredIteratorException`). A code with an exception class
 * in `@aws-sdk/client-kinesis` gets that class (its `$fault` is the class's); any other code gets
 * `KinesisServiceException` named after the code, with `$fault` `server` for a 5xx status and `client` otherwise. The
 * body's fields are copied onto the exception where it has none (the SDK's `decorateServiceException`), the message
 * is `message` or `Message` (else `UnknownError`), and the raw response is attached as the non-enumerable
 * `$response` (the SDK's retry strategy reads Retry-After from it, its signer the Date header for clock-skew
 * correction).
 * @internal
 */
import {
  AccessDeniedException,
  ExpiredIteratorException,
  ExpiredNextTokenException,
  InternalFailureException,
  InvalidArgumentException,
  KinesisServiceException,
  KMSAccessDeniedException,
  KMSDisabledException,
  KMSInvalidStateException,
  KMSNotFoundException,
  KMSOptInRequired,
  KMSThrottlingException,
  LimitExceededException,
  ProvisionedThroughputExceededException,
  ResourceInUseException,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-kinesis';

/** `$metadata` of an SDK answer or exception. */
export type ResponseMetadata = KinesisServiceException['$metadata'];

/** The parts of an HTTP response the error mapping reads. */
export interface LeanHttpResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
}

type ModeledErrorClass = new (options: { message: string; $metadata: ResponseMetadata }) => KinesisServiceException;

/** The modeled Kinesis exceptions, by error code. */
const MODELED_ERRORS: ReadonlyMap<string, ModeledErrorClass> = new Map<string, ModeledErrorClass>([
  ['AccessDeniedException', AccessDeniedException],
  ['ExpiredIteratorException', ExpiredIteratorException],
  ['ExpiredNextTokenException', ExpiredNextTokenException],
  ['InternalFailureException', InternalFailureException],
  ['InvalidArgumentException', InvalidArgumentException],
  ['KMSAccessDeniedException', KMSAccessDeniedException],
  ['KMSDisabledException', KMSDisabledException],
  ['KMSInvalidStateException', KMSInvalidStateException],
  ['KMSNotFoundException', KMSNotFoundException],
  ['KMSOptInRequired', KMSOptInRequired],
  ['KMSThrottlingException', KMSThrottlingException],
  ['LimitExceededException', LimitExceededException],
  ['ProvisionedThroughputExceededException', ProvisionedThroughputExceededException],
  ['ResourceInUseException', ResourceInUseException],
  ['ResourceNotFoundException', ResourceNotFoundException],
  ['ValidationException', ValidationException],
]);

/** The SDK's error-code cleaning: `a,b` -> `a`, `code:rest` -> `code`, `namespace#code` -> `code`. */
export function sanitizeErrorCode(raw: string): string {
  let value = raw;
  if (value.includes(',')) value = value.split(',')[0]!;
  if (value.includes(':')) value = value.split(':')[0]!;
  if (value.includes('#')) value = value.split('#')[1] ?? '';
  return value;
}

/** The error code of an error answer (body `__type`, body `code`, `x-amzn-errortype` header), or undefined. */
export function errorCodeOf(response: LeanHttpResponse, body: Record<string, unknown>): string | undefined {
  for (const candidate of [body['__type'], body['code'], response.headers['x-amzn-errortype']]) {
    if (typeof candidate === 'string' && candidate.length > 0) return sanitizeErrorCode(candidate);
    if (typeof candidate === 'number') return String(candidate);
  }
  return undefined;
}

/** `$metadata` of an answer, as the SDK fills it from the response headers. */
export function responseMetadata(response: LeanHttpResponse): ResponseMetadata {
  // The SDK sets the three ids even when undefined; so does this.
  return {
    httpStatusCode: response.statusCode,
    requestId: response.headers['x-amzn-requestid'] ?? response.headers['x-amzn-request-id'] ?? response.headers['x-amz-request-id'],
    extendedRequestId: response.headers['x-amz-id-2'],
    cfId: response.headers['x-amz-cf-id'],
  } as ResponseMetadata;
}

/**
 * The SDK exception for an error answer (status >= 300). `body` is the parsed JSON body (an empty object when the
 * body was not JSON); `rawResponse` is attached as `$response`.
 */
export function kinesisErrorFromResponse(response: LeanHttpResponse, body: Record<string, unknown>, rawResponse: unknown): Error {
  const code = errorCodeOf(response, body) ?? 'Unknown';
  const $metadata = responseMetadata(response);
  const bodyMessage = body['message'] ?? body['Message'];
  const message = typeof bodyMessage === 'string' && bodyMessage.length > 0 ? bodyMessage : 'UnknownError';
  const Modeled = MODELED_ERRORS.get(code);
  const exception: KinesisServiceException =
    Modeled !== undefined
      ? new Modeled({ message, $metadata })
      : new KinesisServiceException({ name: code, $fault: response.statusCode >= 500 ? 'server' : 'client', message, $metadata });
  const target = exception as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || key === 'message' || key === 'Message') continue;
    if (target[key] === undefined || target[key] === '') target[key] = value;
  }
  Object.defineProperty(exception, '$response', { value: rawResponse, enumerable: false, configurable: true, writable: true });
  return exception;
}

/**
 * The errors of the lean GetRecords transport (lean-http-transport.ts, lean-http1-pool.ts), named and worded as
 * `@smithy/node-http-handler` 4.14.x and `node:http` name theirs, so the SDK's retry strategy classifies them the
 * same way: a `TimeoutError` is transient (retried), anything else is not.
 * @internal
 */
import { primitiveText } from '../internal/primitive-text';

/** Socket error codes the SDK's handler renames `TimeoutError` (transient for the retry strategy). */
const TIMEOUT_ERROR_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** A `TimeoutError` of the lean path (connection, request and socket idle timeouts). */
export function timeoutError(message: string, code?: string): Error {
  const error = new Error(`@kcl/core lean GetRecords - ${message}`);
  error.name = 'TimeoutError';
  if (code !== undefined) (error as Error & { code?: string }).code = code;
  return error;
}

/** A socket error as the SDK's handler passes it on: `ECONNRESET`, `EPIPE`, `ETIMEDOUT` renamed `TimeoutError`. */
export function renamedSocketError(error: Error & { code?: string }): Error {
  if (error.code !== undefined && TIMEOUT_ERROR_CODES.has(error.code)) error.name = 'TimeoutError';
  return error;
}

/** The error of a socket closed before the answer was complete, as `node:http` words it (renamed `TimeoutError`). */
export function socketHangUpError(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', name: 'TimeoutError' });
}

/** The error of a call made on, or in flight when, the transport was destroyed (with its client): not retried. */
export function transportDestroyedError(): Error {
  return Object.assign(new Error('@kcl/core lean GetRecords - the HTTP transport was destroyed (its Kinesis client was destroyed)'), {
    code: 'ERR_KCL_TRANSPORT_DESTROYED',
  });
}

/** The abort error `@smithy/node-http-handler` builds (a non-Error reason as its message, objects as `an object`). */
export function leanAbortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const error = new Error(reason === undefined || reason === null || reason instanceof Error ? 'Request aborted' : primitiveText(reason));
  error.name = 'AbortError';
  if (reason instanceof Error) error.cause = reason;
  return error;
}

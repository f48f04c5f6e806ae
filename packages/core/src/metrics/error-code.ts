import { isKclError } from '../errors';

/** Label used when nothing stable can be read from an error. */
export const UNKNOWN_ERROR_CODE = 'UNKNOWN';

const CODE_PATTERN = /^[A-Z][A-Z0-9_]{1,47}$/;
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9]{1,63}$/;

/**
 * A short, stable label for `error`, for metric labels and dimensions (bounded cardinality, never the message):
 * a {@link KclError}'s `code` (e.g. `LEASE_LOST`); else a Node/system error code such as `ECONNREFUSED` or
 * `ETIMEDOUT`; else the error's `name` when it is more specific than `Error` (AWS SDK exception names such as
 * `ConditionalCheckFailedException`, `TimeoutError`); else `HTTP_<status>` from an AWS SDK `$metadata`; else
 * `UNKNOWN`. Never throws.
 */
export function errorCode(error: unknown): string {
  try {
    if (isKclError(error)) return error.code;
    if (typeof error !== 'object' || error === null) return UNKNOWN_ERROR_CODE;
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && CODE_PATTERN.test(code)) return code;
    if (typeof name === 'string' && name !== 'Error' && NAME_PATTERN.test(name)) return name;
    const status = httpStatusOf(error);
    if (status !== undefined) return `HTTP_${status}`;
    return UNKNOWN_ERROR_CODE;
  } catch {
    return UNKNOWN_ERROR_CODE;
  }
}

/** The HTTP status of an AWS SDK error (`$metadata.httpStatusCode`), or undefined. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  const status = metadata?.httpStatusCode;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
}

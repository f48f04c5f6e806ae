/** What went wrong, as a fixed set of strings (use `error.code`, never the message). */
export type LocalErrorCode =
  /** An option or argument is out of range or of the wrong kind; the message names it, its value and what it takes. */
  | 'LOCAL_BAD_OPTION'
  /** The fixed port asked for is taken by another process. */
  | 'PORT_IN_USE'
  /** A stand-in could not be started (not installed, exited, did not answer in time). */
  | 'START_FAILED'
  /** A call to the Kinesis stand-in failed (e.g. records still rejected after every retry). */
  | 'KINESIS_FAILED';

/**
 * The one error type of @kcl/local. `code` says what happened, `service` which stand-in it concerns (`kinesis`,
 * `dynamodb`, `redis`, `stack`); the underlying error, if any, is in `cause`.
 */
export class LocalError extends Error {
  override readonly name = 'LocalError';
  /** START_FAILED because this program is not installed (e.g. `redis-server`); undefined otherwise. */
  readonly missingProgram: string | undefined;

  constructor(
    readonly code: LocalErrorCode,
    readonly service: string,
    message: string,
    options?: ErrorOptions & { missingProgram?: string },
  ) {
    super(`[${service}] ${message}`, options);
    this.missingProgram = options?.missingProgram;
  }
}

/** True for any LocalError (also one thrown by another copy of this package). */
export function isLocalError(error: unknown): error is LocalError {
  return (
    error instanceof LocalError || (error instanceof Error && error.name === 'LocalError' && typeof (error as { code?: unknown }).code === 'string')
  );
}

/** Throws LOCAL_BAD_OPTION unless `value` is undefined or an integer from `min` to `max`. */
export function checkRange(service: string, option: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || (Number.isInteger(value) && value >= min && value <= max)) return;
  throw new LocalError('LOCAL_BAD_OPTION', service, `option ${option} must be an integer from ${min} to ${max}, got ${String(value)}`);
}

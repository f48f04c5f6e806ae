/**
 * Thrown when a local stand-in cannot be started, does not answer in time, or is given bad options.
 * `server` names the stand-in (e.g. `redis-server`, `kinesis-local`) so a failing test says which one broke.
 */
export class TestbedError extends Error {
  override readonly name = 'TestbedError';

  constructor(
    readonly server: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`[${server}] ${message}`, options);
  }
}

/** Checks that `value` is undefined or an integer in [min, max]; throws a TestbedError naming the option otherwise. */
export function checkIntegerOption(server: string, option: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TestbedError(server, `option ${option} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

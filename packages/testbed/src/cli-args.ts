/** Small pieces shared by the command-line parsers of the private tools (testbed, demo, bench). */

/** A bad command line: the tool prints the message and its usage, and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses the value of `--name` as an integer in [min, max]; throws a UsageError naming the flag when the value is
 * missing, empty, not an integer or out of range.
 */
export function parseIntFlag(name: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined) throw new UsageError(`--${name} needs a value (an integer from ${min} to ${max})`);
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

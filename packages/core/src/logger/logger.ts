/** Structured fields attached to a log line (shard, worker, error, ...). */
export type LogFields = Record<string, unknown>;

/**
 * The logging contract. The default is a winston logger (see `createWinstonLogger`); any object with these methods
 * works (pino, console wrappers...). `child` returns a logger that adds `fields` to every line.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** A logger that drops every line (for backends used without a config logger, and for tests). */
export const NOOP_LOGGER: Logger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => NOOP_LOGGER,
});

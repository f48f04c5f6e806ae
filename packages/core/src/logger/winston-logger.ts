import winston from 'winston';
import { ConfigError } from '../errors';
import type { LogFields, Logger } from './logger';

/** Levels the @kcl logger understands, from most to least severe; `silent` logs nothing. */
export type KclLogLevel = 'error' | 'warn' | 'info' | 'debug' | 'silent';

const LEVELS: readonly KclLogLevel[] = ['error', 'warn', 'info', 'debug', 'silent'];

/** Name of the environment variable that overrides the default level. */
export const LOG_LEVEL_ENV = 'KCL_LOG_LEVEL';

export interface WinstonLoggerOptions {
  /**
   * Minimum level written.
   * @defaultValue the `KCL_LOG_LEVEL` environment variable if set, else `'info'`
   */
  level?: KclLogLevel;
  /**
   * `'json'`: one JSON object per line (timestamp, level, message, fields); `'simple'`: `level: message {fields}`.
   * @defaultValue `'json'`
   */
  format?: 'json' | 'simple';
  /**
   * Where lines go.
   * @defaultValue `process.stderr` (stdout stays free for the application's own output)
   */
  stream?: NodeJS.WritableStream;
  /**
   * Log through an existing winston logger instead (its level, format and transports apply; `level`, `format` and
   * `stream` must then be left out).
   */
  winston?: winston.Logger;
}

/**
 * Creates a {@link Logger} backed by winston. Field values that are Errors are written as
 * `{ name, message, code?, stack, cause? }` (winston's JSON format would otherwise print `{}`).
 * @throws ConfigError for an unknown level (also from `KCL_LOG_LEVEL`) or conflicting options
 */
export function createWinstonLogger(options: WinstonLoggerOptions = {}): Logger {
  if (options.winston !== undefined) {
    if (options.level !== undefined || options.format !== undefined || options.stream !== undefined) {
      throw new ConfigError(
        'winston',
        '<winston.Logger>',
        'either an existing winston logger or level/format/stream, not both',
        'Configure level, format and transports on your winston logger instead.',
      );
    }
    return new WinstonLogger(options.winston);
  }
  const level = resolveLevel(options.level);
  const format = options.format ?? 'json';
  if (format !== 'json' && format !== 'simple') throw new ConfigError('format', format, '"json" or "simple"');
  const stream = options.stream ?? process.stderr;
  const inner = winston.createLogger({
    level: level === 'silent' ? 'error' : level,
    silent: level === 'silent',
    format: format === 'json' ? winston.format.combine(winston.format.timestamp(), winston.format.json()) : winston.format.simple(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return new WinstonLogger(inner);
}

let defaultLogger: Logger | undefined;

/** The shared default logger (created on first use with {@link createWinstonLogger}'s defaults). */
export function getDefaultLogger(): Logger {
  defaultLogger ??= createWinstonLogger();
  return defaultLogger;
}

function resolveLevel(explicit: KclLogLevel | undefined): KclLogLevel {
  if (explicit !== undefined) {
    if (!LEVELS.includes(explicit)) throw new ConfigError('level', explicit, LEVELS.join(', '));
    return explicit;
  }
  const fromEnv = process.env[LOG_LEVEL_ENV];
  if (fromEnv === undefined || fromEnv === '') return 'info';
  const normalized = fromEnv.trim().toLowerCase() as KclLogLevel;
  if (!LEVELS.includes(normalized)) throw new ConfigError(LOG_LEVEL_ENV, fromEnv, LEVELS.join(', '));
  return normalized;
}

/**
 * A level that is off costs nothing beyond the level check: winston itself would build the log entry and push it
 * through its stream pipeline before dropping it, and the fields would be copied first (a worker with 1,000 shards
 * logs thousands of debug lines a second that are never written).
 */
class WinstonLogger implements Logger {
  /** The winston child for `fields`, made at the first line actually written (see {@link child}). */
  private derived: winston.Logger | undefined;

  /**
   * @param base the winston logger lines go through (level checks read it: a winston child shares its parent's level)
   * @param fields the fields of a child logger (already serialized), added to every line; undefined for the root
   */
  constructor(
    private readonly base: winston.Logger,
    private readonly fields?: LogFields,
  ) {}

  debug(message: string, fields?: LogFields): void {
    if (this.enabled('debug')) this.target().debug(message, serializeFields(fields));
  }
  info(message: string, fields?: LogFields): void {
    if (this.enabled('info')) this.target().info(message, serializeFields(fields));
  }
  warn(message: string, fields?: LogFields): void {
    if (this.enabled('warn')) this.target().warn(message, serializeFields(fields));
  }
  error(message: string, fields?: LogFields): void {
    if (this.enabled('error')) this.target().error(message, serializeFields(fields));
  }
  /** Whether winston would write `level` now (its level and its transports' levels, read on every call). */
  private enabled(level: 'debug' | 'info' | 'warn' | 'error'): boolean {
    return !this.base.silent && this.base.isLevelEnabled(level);
  }
  private target(): winston.Logger {
    if (this.fields === undefined) return this.base;
    this.derived ??= this.base.child(this.fields);
    return this.derived;
  }
  /**
   * A child whose winston child is made only when it first writes a line: the worker makes one per shard consumer,
   * and most of them never log above the level in force. Fields of nested children merge (the inner one wins), as
   * winston's own nested children do.
   */
  child(fields: LogFields): Logger {
    return new WinstonLogger(this.base, serializeFields(fields, this.fields));
  }
}

const RESERVED_KEYS = new Set(['level', 'message', 'timestamp']);

/** `fields` ready for winston, on top of a copy of `base` (a child's fields: `fields` win). */
function serializeFields(fields: LogFields | undefined, base?: LogFields): LogFields {
  const out: LogFields = {};
  if (base !== undefined) for (const key of Object.keys(base)) out[key] = base[key];
  if (fields === undefined) return out;
  for (const [key, value] of Object.entries(fields)) {
    // winston keeps level, message and timestamp in the same object: keep user fields from overwriting them.
    const safeKey = RESERVED_KEYS.has(key) ? `_${key}` : key;
    out[safeKey] = value instanceof Error ? serializeError(value, 0) : value;
  }
  return out;
}

interface SerializedError {
  name: string;
  message: string;
  code?: unknown;
  stack?: string;
  cause?: unknown;
}

function serializeError(error: Error, depth: number): SerializedError {
  const out: SerializedError = { name: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (error.stack !== undefined) out.stack = error.stack;
  const cause: unknown = error.cause;
  if (cause instanceof Error) out.cause = depth < 5 ? serializeError(cause, depth + 1) : `${cause.name}: ${cause.message}`;
  else if (cause !== undefined) out.cause = cause;
  return out;
}

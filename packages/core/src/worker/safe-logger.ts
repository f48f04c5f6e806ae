import type { LogFields, Logger } from '../logger/logger';
import { callSafely } from '../internal/safe-call';

/**
 * Wraps the application's logger so that a logger that throws (a broken transport, a bad formatter) can never break
 * the worker's loops or turn into an unhandled rejection: the failure is swallowed and the line is lost.
 */
export function safeLogger(inner: Logger): Logger {
  // Logging must never take the worker down.
  const call = callSafely;
  return {
    debug: (message: string, fields?: LogFields) => call(() => inner.debug(message, fields)),
    info: (message: string, fields?: LogFields) => call(() => inner.info(message, fields)),
    warn: (message: string, fields?: LogFields) => call(() => inner.warn(message, fields)),
    error: (message: string, fields?: LogFields) => call(() => inner.error(message, fields)),
    child: (fields: LogFields) => {
      try {
        return safeLogger(inner.child(fields));
      } catch {
        return safeLogger(inner);
      }
    },
  };
}

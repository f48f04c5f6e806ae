import type { LogFields, Logger } from '../logger/logger';
import { callSafely } from '../internal/safe-call';

/**
 * Wraps the application's logger so that a logger that throws (a broken transport, a bad formatter) can never break
 * the worker's loops or turn into an unhandled rejection: the failure is swallowed and the line is lost.
 *
 * A class rather than an object of closures: the worker makes one child per shard consumer, so with 1,000 leases
 * the methods live once on the prototype instead of five closures per shard.
 */
class SafeLogger implements Logger {
  constructor(private readonly inner: Logger) {}

  debug(message: string, fields?: LogFields): void {
    callSafely(() => this.inner.debug(message, fields));
  }
  info(message: string, fields?: LogFields): void {
    callSafely(() => this.inner.info(message, fields));
  }
  warn(message: string, fields?: LogFields): void {
    callSafely(() => this.inner.warn(message, fields));
  }
  error(message: string, fields?: LogFields): void {
    callSafely(() => this.inner.error(message, fields));
  }
  child(fields: LogFields): Logger {
    try {
      return new SafeLogger(this.inner.child(fields));
    } catch {
      return this;
    }
  }
}

export function safeLogger(inner: Logger): Logger {
  return inner instanceof SafeLogger ? inner : new SafeLogger(inner);
}

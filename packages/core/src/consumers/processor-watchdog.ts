/**
 * Watches one record processor call while it runs (JavaScript cannot interrupt it):
 * - stuck reports: after `logWarningForTaskAfterMillis`, and again each time that much more has passed, a warning, the
 *   `processorStuck` event and metric; they stop once the lease is lost or given up;
 * - time limit (opt-in, `maxProcessingTimeMillis` > 0): past it, `onTimeLimit` is called once (the driver gives the
 *   lease up so another worker takes the shard over).
 * When a reported call finally returns, an info line says after how long.
 * @internal
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger/logger';
import type { ConsumerReporter } from './consumer-reporter';

/** The record processor calls watched. */
export type ProcessorOperation = 'initialize' | 'processRecords' | 'shutdown';

export interface ProcessorWatchdogOptions {
  shardId: string;
  logger: Logger;
  report: ConsumerReporter;
  /** Stuck reports stop once the lease is lost. */
  lease: { readonly lost: boolean };
  stuckAfterMillis: number;
  /** 0 = no time limit. */
  maxProcessingTimeMillis: number;
  /** Called once when a call is still running after `maxProcessingTimeMillis`. */
  onTimeLimit(operation: ProcessorOperation, millis: number): void;
}

/** Runs `call` under watch; settles as `call` does. */
export async function watchProcessorCall(
  options: ProcessorWatchdogOptions,
  operation: ProcessorOperation,
  call: () => void | Promise<void>,
): Promise<void> {
  const { shardId, logger, report, lease } = options;
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let reported = false;
  let stuckTimer: NodeJS.Timeout | undefined;
  const armStuck = (): void => {
    stuckTimer = setTimeout(() => {
      if (lease.lost) return;
      reported = true;
      const millis = elapsed();
      logger.warn(`Record processor ${operation}() has not returned after ${millis} ms: the shard makes no progress`, {
        shardId,
        operation,
        millis,
      });
      report.processorStuck(operation, millis);
      armStuck();
    }, options.stuckAfterMillis);
    stuckTimer.unref();
  };
  armStuck();
  let limitTimer: NodeJS.Timeout | undefined;
  if (options.maxProcessingTimeMillis > 0) {
    limitTimer = setTimeout(() => {
      if (lease.lost) return;
      reported = true;
      options.onTimeLimit(operation, elapsed());
    }, options.maxProcessingTimeMillis);
    limitTimer.unref();
  }
  try {
    await call();
  } finally {
    clearTimeout(stuckTimer);
    clearTimeout(limitTimer);
    if (reported) {
      const millis = elapsed();
      logger.info(`Record processor ${operation}() returned after ${millis} ms`, { shardId, operation });
      report.processorReturned(operation, millis);
    }
  }
}

/**
 * Reports of a shard consumer to the worker (events) and to the MonitoringService, guarded so that a throwing
 * listener or metrics implementation never breaks the consumer loop (the failure is logged instead).
 * @internal
 */
import type { Logger } from '../logger/logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import type { ChildShardInfo } from '../shards/shard-registry';
import type { ConsumerEventSink } from './shard-consumer';
import type { BatchSkippedEvent, ProcessorFailingEvent } from './consumer-events';

export interface ConsumerReporterDeps {
  lease: { readonly shardId: string };
  events: ConsumerEventSink;
  monitoring: MonitoringService;
  logger: Logger;
}

export class ConsumerReporter {
  private readonly shardId: string;
  private readonly events: ConsumerEventSink;
  private readonly monitoring: MonitoringService;
  private readonly logger: Logger;

  constructor(deps: ConsumerReporterDeps) {
    this.shardId = deps.lease.shardId;
    this.events = deps.events;
    this.monitoring = deps.monitoring;
    this.logger = deps.logger;
  }

  /** events.error with this shard and `operation`. */
  error(error: unknown, operation: string): void {
    this.guard('events.error', () => this.events.error(error, { shardId: this.shardId, operation }));
  }

  /** events.processorError plus the optional incrProcessRecordsErrors metric. */
  processorError(error: unknown, attempt: number): void {
    this.guard('events.processorError', () => this.events.processorError(this.shardId, error, attempt));
    this.metric((m) => m.incrProcessRecordsErrors?.(this.shardId));
  }

  /** events.processorStuck plus the optional processorStuck metric. */
  processorStuck(operation: 'initialize' | 'processRecords' | 'shutdown', millis: number): void {
    this.guard('events.processorStuck', () => this.events.processorStuck?.(this.shardId, operation, millis));
    this.metric((m) => m.processorStuck?.(this.shardId, millis));
  }

  /** events.processorReturned: a call reported as stuck has returned. */
  processorReturned(operation: 'initialize' | 'processRecords' | 'shutdown', millis: number): void {
    this.guard('events.processorReturned', () => this.events.processorReturned?.(this.shardId, operation, millis));
  }

  /** events.processorFailing (rate-limited by the caller). */
  processorFailing(event: ProcessorFailingEvent): void {
    this.guard('events.processorFailing', () => this.events.processorFailing?.(event));
  }

  /** events.batchSkipped plus the optional batchSkipped metric. */
  batchSkipped(event: BatchSkippedEvent): void {
    this.guard('events.batchSkipped', () => this.events.batchSkipped?.(event));
    this.metric((m) => m.batchSkipped?.(this.shardId, event.records.length));
  }

  shardEnded(childShards: ChildShardInfo[]): void {
    this.guard('events.shardEnded', () => this.events.shardEnded(this.shardId, childShards));
  }

  /** Runs one MonitoringService call. */
  metric(call: (monitoring: MonitoringService) => void): void {
    this.guard('monitoring', () => call(this.monitoring));
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.logger.warn(`${what} threw; ignored`, { shardId: this.shardId, error });
    }
  }
}

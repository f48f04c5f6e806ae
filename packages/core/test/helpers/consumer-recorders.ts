/** Recording fakes for consumer tests: processor, event sink, monitoring service and logger. */
import type { LogFields, Logger } from '../../src/logger/logger';
import type { MonitoringService } from '../../src/metrics/monitoring-service';
import type {
  InitializationInput,
  KinesisClientRecord,
  ProcessRecordsInput,
  RecordProcessor,
  RecordProcessorCheckpointer,
  ShutdownInput,
} from '../../src/processor/record-processor';
import { ShutdownReason } from '../../src/processor/shutdown-reason';
import type { ChildShardInfo } from '../../src/shards/shard-registry';
import type { ConsumerEventSink } from '../../src/consumers/shard-consumer';
import type { BatchSkippedEvent, ProcessorFailingEvent } from '../../src/worker/worker-events';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields;
}

/** Keeps every line (children share the list). Set KCL_TEST_LOG=1 to also print them. */
export class RecordingLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly context: LogFields = {},
  ) {}
  debug(message: string, fields?: LogFields): void {
    this.add('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.add('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.add('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.add('error', message, fields);
  }
  child(fields: LogFields): Logger {
    return new RecordingLogger(this.lines, { ...this.context, ...fields });
  }
  at(level: LogLine['level']): LogLine[] {
    return this.lines.filter((l) => l.level === level);
  }
  private add(level: LogLine['level'], message: string, fields: LogFields = {}): void {
    const line = { level, message, fields: { ...this.context, ...fields } };
    this.lines.push(line);
    if (process.env['KCL_TEST_LOG'] === '1') console.log(level, message, fields);
  }
}

export class RecordingEvents implements ConsumerEventSink {
  readonly shardEnds: { shardId: string; childShards: ChildShardInfo[] }[] = [];
  readonly processorErrors: { shardId: string; error: unknown; attempt: number }[] = [];
  readonly errors: { error: unknown; context: { shardId?: string; operation: string } }[] = [];
  readonly failing: ProcessorFailingEvent[] = [];
  readonly skipped: BatchSkippedEvent[] = [];
  processorFailing(event: ProcessorFailingEvent): void {
    this.failing.push(event);
  }
  batchSkipped(event: BatchSkippedEvent): void {
    this.skipped.push(event);
  }
  shardEnded(shardId: string, childShards: ChildShardInfo[]): void {
    this.shardEnds.push({ shardId, childShards });
  }
  processorError(shardId: string, error: unknown, attempt: number): void {
    this.processorErrors.push({ shardId, error, attempt });
  }
  error(error: unknown, context: { shardId?: string; operation: string }): void {
    this.errors.push({ error, context });
  }
  /** Names of the errors reported for `operation` (e.g. 'GetRecords'). */
  errorNames(operation?: string): string[] {
    return this.errors
      .filter((e) => operation === undefined || e.context.operation === operation)
      .map((e) => (e.error instanceof Error ? e.error.name : String(e.error)));
  }
}

export class RecordingMonitoring implements MonitoringService {
  recordsProcessed = 0;
  bytesProcessed = 0;
  processRecordsErrors = 0;
  readonly millisBehind: number[] = [];
  readonly getRecordsTimes: number[] = [];
  readonly processRecordsTimes: number[] = [];
  /** Every processorFailing(shard, attempts) value, in order. */
  readonly failingAttempts: number[] = [];
  /** Record counts of batchSkipped calls. */
  readonly skippedBatches: number[] = [];
  init(): void {}
  start(): void {}
  incrRecordsProcessed(_shard: string, count: number): void {
    this.recordsProcessed += count;
  }
  incrBytesProcessed(_shard: string, count: number): void {
    this.bytesProcessed += count;
  }
  millisBehindLatest(_shard: string, millis: number): void {
    this.millisBehind.push(millis);
  }
  leaseGained(): void {}
  leaseLost(): void {}
  leaseRenewed(): void {}
  recordGetRecordsTime(_shard: string, millis: number): void {
    this.getRecordsTimes.push(millis);
  }
  recordProcessRecordsTime(_shard: string, millis: number): void {
    this.processRecordsTimes.push(millis);
  }
  incrProcessRecordsErrors(): void {
    this.processRecordsErrors += 1;
  }
  processorFailing(_shard: string, attempts: number): void {
    this.failingAttempts.push(attempts);
  }
  batchSkipped(_shard: string, records: number): void {
    this.skippedBatches.push(records);
  }
  shutdown(): void {}
}

/** Hooks run after the processor recorded the call; they may throw or checkpoint. */
export interface ProcessorHooks {
  initialize?(input: InitializationInput): void | Promise<void>;
  processRecords?(input: ProcessRecordsInput, processor: RecordingProcessor): void | Promise<void>;
  shutdown?(input: ShutdownInput, processor: RecordingProcessor): void | Promise<void>;
}

/**
 * Records every call. By default it checkpoints nothing during processing and calls `checkpoint()` at shutdown
 * (REQUESTED / TERMINATE); hooks replace that behaviour.
 */
export class RecordingProcessor implements RecordProcessor {
  readonly initializations: InitializationInput[] = [];
  /** Every processRecords call, including ones whose hook threw. */
  readonly batches: KinesisClientRecord[][] = [];
  readonly shutdowns: ShutdownReason[] = [];
  readonly calls: string[] = [];
  /** The checkpointer of the last call (to try it after shutdown). */
  lastCheckpointer: RecordProcessorCheckpointer | undefined;
  /** What checkpoint() at shutdown threw, if anything. */
  shutdownCheckpointError: unknown;

  constructor(private readonly hooks: ProcessorHooks = {}) {}

  /** Records of the processRecords calls that returned without throwing, in delivery order. */
  readonly processed: KinesisClientRecord[] = [];

  async initialize(input: InitializationInput): Promise<void> {
    this.calls.push('initialize');
    this.initializations.push(input);
    await this.hooks.initialize?.(input);
  }

  async processRecords(input: ProcessRecordsInput): Promise<void> {
    this.calls.push('processRecords');
    this.batches.push(input.records);
    this.lastCheckpointer = input.checkpointer;
    await this.hooks.processRecords?.(input, this);
    this.processed.push(...input.records);
  }

  async shutdown(input: ShutdownInput): Promise<void> {
    this.calls.push(`shutdown:${ShutdownReason[input.shutdownReason]}`);
    this.shutdowns.push(input.shutdownReason);
    this.lastCheckpointer = input.checkpointer;
    if (this.hooks.shutdown) {
      await this.hooks.shutdown(input, this);
      return;
    }
    if (input.shutdownReason !== ShutdownReason.ZOMBIE) {
      try {
        await input.checkpointer.checkpoint();
      } catch (error) {
        this.shutdownCheckpointError = error;
      }
    }
  }
}

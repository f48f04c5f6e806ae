import type { MonitoringService } from '../metrics/monitoring-service';

/** A metric method of {@link MonitoringService}. */
export type MonitoringMetric = Exclude<keyof MonitoringService, 'init' | 'start' | 'shutdown'>;

/** One recorded metric call: the method and its arguments. */
export interface MonitoringCall<M extends MonitoringMetric = MonitoringMetric> {
  metric: M;
  args: Parameters<NonNullable<MonitoringService[M]>>;
}

/**
 * A MonitoringService for tests that records every metric call (optional ones included) in {@link calls}, in order.
 *
 * ```ts
 * const metrics = new RecordingMonitoringService();
 * const worker = new Worker(factory, config.withMonitoringService(metrics));
 * // ...
 * expect(metrics.argsOf('processorStuck')[0]).toEqual(['shardId-000000000000', expect.any(Number)]);
 * ```
 */
export class RecordingMonitoringService implements MonitoringService {
  /** Every metric call so far, in order. */
  readonly calls: MonitoringCall[] = [];

  /** The arguments of every call of `metric`, in order. */
  argsOf<M extends MonitoringMetric>(metric: M): Array<MonitoringCall<M>['args']> {
    return this.calls.filter((call): call is MonitoringCall<M> => call.metric === metric).map((call) => call.args);
  }

  init(): void {}
  start(): void {}
  shutdown(): void {}

  private record<M extends MonitoringMetric>(metric: M, args: MonitoringCall<M>['args']): void {
    this.calls.push({ metric, args } as MonitoringCall);
  }

  incrRecordsProcessed(shard: string, count: number): void {
    this.record('incrRecordsProcessed', [shard, count]);
  }
  incrBytesProcessed(shard: string, count: number): void {
    this.record('incrBytesProcessed', [shard, count]);
  }
  millisBehindLatest(shard: string, millis: number): void {
    this.record('millisBehindLatest', [shard, millis]);
  }
  leaseGained(shard: string): void {
    this.record('leaseGained', [shard]);
  }
  leaseLost(shard: string): void {
    this.record('leaseLost', [shard]);
  }
  leaseRenewed(shard: string): void {
    this.record('leaseRenewed', [shard]);
  }
  recordGetRecordsTime(shard: string, millis: number): void {
    this.record('recordGetRecordsTime', [shard, millis]);
  }
  recordProcessRecordsTime(shard: string, millis: number): void {
    this.record('recordProcessRecordsTime', [shard, millis]);
  }
  incrProcessRecordsErrors(shard: string): void {
    this.record('incrProcessRecordsErrors', [shard]);
  }
  processorStuck(shard: string, millis: number): void {
    this.record('processorStuck', [shard, millis]);
  }
  processorFailing(shard: string, attempts: number): void {
    this.record('processorFailing', [shard, attempts]);
  }
  batchSkipped(shard: string, records: number): void {
    this.record('batchSkipped', [shard, records]);
  }
}

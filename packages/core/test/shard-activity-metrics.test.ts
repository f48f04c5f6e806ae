/**
 * trackActivityMetrics: the MonitoringService the shard consumers get. Every call reaches the worker's own service
 * unchanged, the three watched methods also feed the worker's ShardActivity, and a method read twice is the same
 * function (the consumers call metrics on every poll: no wrapper is made per read).
 */
import { ShardActivity, trackActivityMetrics } from '../src/consumers/shard-activity';
import { NoopMonitoringService } from '../src/metrics/monitoring-service';

class RecordingMonitoring extends NoopMonitoringService {
  readonly calls: unknown[][] = [];
  override incrRecordsProcessed(shard: string, count: number): void {
    this.calls.push(['incrRecordsProcessed', shard, count]);
  }
  override millisBehindLatest(shard: string, millis: number): void {
    this.calls.push(['millisBehindLatest', shard, millis]);
  }
  override recordGetRecordsTime(shard: string, millis: number): void {
    this.calls.push(['recordGetRecordsTime', shard, millis]);
  }
}

describe('trackActivityMetrics', () => {
  test('forwards every call, feeds the activity of the watched ones, and gives the same function on every read', () => {
    const inner = new RecordingMonitoring();
    const activity = new ShardActivity(
      () => 1_000,
      () => 5_000,
    );
    activity.begin('shard-1');
    const metrics = trackActivityMetrics(inner, activity);

    expect(metrics.recordGetRecordsTime).toBe(metrics.recordGetRecordsTime);
    expect(metrics.millisBehindLatest).toBe(metrics.millisBehindLatest);
    metrics.recordGetRecordsTime('shard-1', 12);
    metrics.millisBehindLatest('shard-1', 3_000);
    metrics.incrRecordsProcessed('shard-1', 7);
    metrics.processorFailing?.('shard-1', 2);

    expect(inner.calls).toEqual([
      ['recordGetRecordsTime', 'shard-1', 12],
      ['millisBehindLatest', 'shard-1', 3_000],
      ['incrRecordsProcessed', 'shard-1', 7],
    ]);
    // processorFailing is optional: the inner service has none, the activity still learns of it.
    expect(activity.snapshot('shard-1')).toMatchObject({ millisBehindLatest: 3_000, failing: true, failedAttempts: 2 });
  });

  test('a method replaced on the inner service is the one called from then on', () => {
    const inner = new RecordingMonitoring();
    const metrics = trackActivityMetrics(inner, new ShardActivity(() => 0));
    const before = metrics.recordGetRecordsTime;
    const replaced: unknown[] = [];
    inner.recordGetRecordsTime = (shard: string, millis: number) => {
      replaced.push([shard, millis]);
    };
    expect(metrics.recordGetRecordsTime).not.toBe(before);
    metrics.recordGetRecordsTime('shard-2', 5);
    expect(replaced).toEqual([['shard-2', 5]]);
    expect(inner.calls).toEqual([]);
  });
});

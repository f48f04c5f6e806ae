import { RecordingMonitoringService } from '../src/testing';

describe('RecordingMonitoringService', () => {
  it('records every metric call with its arguments, in order, and argsOf picks one metric', () => {
    const metrics = new RecordingMonitoringService();
    metrics.init();
    metrics.leaseGained('s1');
    metrics.processorStuck('s1', 300);
    metrics.incrRecordsProcessed('s1', 5);
    metrics.processorStuck('s1', 600);
    expect(metrics.calls).toEqual([
      { metric: 'leaseGained', args: ['s1'] },
      { metric: 'processorStuck', args: ['s1', 300] },
      { metric: 'incrRecordsProcessed', args: ['s1', 5] },
      { metric: 'processorStuck', args: ['s1', 600] },
    ]);
    expect(metrics.argsOf('processorStuck')).toEqual([
      ['s1', 300],
      ['s1', 600],
    ]);
    expect(metrics.argsOf('batchSkipped')).toEqual([]);
  });
});

import { CloudWatchMonitoringService } from '../src';

interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit?: string }> }>;
  };
  [key: string]: unknown;
}

describe('Embedded Metric Format output', () => {
  it('writes EMF documents instead of calling the API, within the EMF limits', async () => {
    const lines: string[] = [];
    const s = new CloudWatchMonitoringService({ output: 'emf', emfWriter: (line) => lines.push(line) });
    s.init('orders-app', 'orders', 'worker-1');
    s.start();
    s.incrRecordsProcessed('shardId-1', 3);
    s.incrBytesProcessed('shardId-1', 100);
    for (let v = 0; v < 150; v += 1) s.millisBehindLatest('shardId-1', v);
    await s.shutdown();

    const documents = lines.map((l) => JSON.parse(l) as EmfDocument);
    const processTask = documents.filter((d) => d.Operation === 'ProcessTask');
    expect(processTask.length).toBe(2); // 150 values of MillisBehindLatest: 100 in the first document, 50 in the second
    const first = processTask[0]!;
    expect(first._aws.CloudWatchMetrics[0]!.Namespace).toBe('orders-app');
    expect(first._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['Operation', 'ShardId', 'WorkerIdentifier']]);
    expect(first).toMatchObject({ ShardId: 'shardId-1', WorkerIdentifier: 'worker-1', RecordsProcessed: 3, DataBytesProcessed: 100 });
    expect(first._aws.CloudWatchMetrics[0]!.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'RecordsProcessed', Unit: 'Count' },
        { Name: 'MillisBehindLatest', Unit: 'Milliseconds' },
      ]),
    );
    expect((first.MillisBehindLatest as number[]).length).toBe(100);
    expect((processTask[1]!.MillisBehindLatest as number[]).length).toBe(50);
    expect(typeof first._aws.Timestamp).toBe('number');
    const leases = documents.find((d) => d.Operation === 'RenewAllLeases')!;
    expect(leases).toMatchObject({ CurrentLeases: 0, WorkerIdentifier: 'worker-1' });
  });
});

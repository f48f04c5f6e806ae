import { ConfigError, type LogFields, type Logger } from '@kcl/core';
import { CloudWatchMonitoringService, MAX_DATUMS_PER_REQUEST, MAX_REQUEST_BYTES, MAX_VALUES_PER_DATUM } from '../src';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { datumDimensions as dims, datumTotal as total, receivedData as allData, startCloudWatchStandIn, type CloudWatchStandIn } from '@kcl/testbed';

const SHARD = 'shardId-000000000001';

class ListLogger implements Logger {
  readonly warnings: Array<{ message: string; fields: LogFields | undefined }> = [];
  debug(): void {}
  info(): void {}
  warn(message: string, fields?: LogFields): void {
    this.warnings.push({ message, fields });
  }
  error(): void {}
  child(): Logger {
    return this;
  }
}

let standIn: CloudWatchStandIn;
beforeEach(async () => {
  standIn = await startCloudWatchStandIn();
});
afterEach(async () => {
  await standIn.stop();
});

/** A client for the stand-in with `maxAttempts` SDK attempts per call. */
function client(maxAttempts: number): CloudWatchClient {
  return new CloudWatchClient({
    endpoint: standIn.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts,
  });
}

function service(options: ConstructorParameters<typeof CloudWatchMonitoringService>[0] = {}): CloudWatchMonitoringService {
  const s = new CloudWatchMonitoringService({
    clientConfig: { endpoint: standIn.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
    ...options,
  });
  s.init('orders-app', 'orders', 'worker-1');
  s.start();
  return s;
}

describe('CloudWatchMonitoringService (PutMetricData over the real SDK)', () => {
  it('sends the Java KCL names, units and dimensions under the application namespace, aggregated as Values/Counts', async () => {
    const s = service();
    try {
      s.leaseGained(SHARD);
      s.incrRecordsProcessed(SHARD, 3);
      s.incrRecordsProcessed(SHARD, 3);
      s.incrRecordsProcessed(SHARD, 5);
      s.incrBytesProcessed(SHARD, 1024);
      s.millisBehindLatest(SHARD, 250);
      s.recordProcessRecordsTime(SHARD, 7);
      s.recordGetRecordsTime(SHARD, 12);
      s.leaseRenewed(SHARD);
      s.leaseRenewed(SHARD);
      s.recordCheckpointTime(SHARD, 4);
      s.incrCheckpointFailures(SHARD, 'LEASE_LOST');
      s.recordLeaseStoreCallTime('renewLeases', 9);
      s.incrLeaseStoreErrors('renewLeases', 'LEASE_STORE_UNAVAILABLE');
      s.leaseStoreHealth(false);
    } finally {
      await s.shutdown(); // flushes
    }
    expect(standIn.accepted).toHaveLength(1);
    const request = standIn.accepted[0]!;
    expect(request.target).toBe('GraniteServiceVersion20100801.PutMetricData');
    expect(request.contentType).toBe('application/x-amz-json-1.0');
    expect(request.body.Namespace).toBe('orders-app');
    const find = (name: string) => request.body.MetricData.find((d) => d.MetricName === name)!;

    const records = find('RecordsProcessed');
    expect(dims(records)).toEqual({ Operation: 'ProcessTask', ShardId: SHARD, WorkerIdentifier: 'worker-1' });
    expect(records.Unit).toBe('Count');
    expect(records.Values).toEqual([3, 5]);
    expect(records.Counts).toEqual([2, 1]);
    expect(typeof records.Timestamp).toBe('number');
    expect(find('DataBytesProcessed')).toMatchObject({ Unit: 'Bytes', Value: 1024 });
    expect(find('MillisBehindLatest')).toMatchObject({ Unit: 'Milliseconds', Value: 250 });
    expect(find('RecordProcessor.processRecords.Time')).toMatchObject({ Value: 7 });
    expect(find('GetRecords.Time')).toMatchObject({ Value: 12 });
    const renew = find('RenewLease.Success');
    expect(dims(renew)).toEqual({ Operation: 'RenewAllLeases', ShardId: SHARD, WorkerIdentifier: 'worker-1' });
    expect(total(renew)).toBe(2);
    expect(dims(find('CurrentLeases'))).toEqual({ Operation: 'RenewAllLeases', WorkerIdentifier: 'worker-1' });
    expect(find('CurrentLeases').Value).toBe(1);
    expect(dims(find('TakenLeases'))).toEqual({ Operation: 'TakeLeases', WorkerIdentifier: 'worker-1' });
    expect(dims(find('Checkpoint.Failures'))).toEqual({
      Operation: 'Checkpoint',
      ShardId: SHARD,
      WorkerIdentifier: 'worker-1',
      ErrorCode: 'LEASE_LOST',
    });
    expect(dims(find('LeaseStore.Errors'))).toEqual({
      Operation: 'LeaseStore',
      WorkerIdentifier: 'worker-1',
      StoreOperation: 'renewLeases',
      ErrorCode: 'LEASE_STORE_UNAVAILABLE',
    });
    expect(find('LeaseStore.Healthy').Value).toBe(0);
  });

  it('honours namespace, workerIdentifier and the dimension switches', async () => {
    const s = service({ namespace: 'Custom/KCL', workerIdentifier: 'pod-7', dimensions: { shardId: false } });
    s.incrRecordsProcessed(SHARD, 1);
    await s.shutdown();
    const datum = allData(standIn).find((d) => d.MetricName === 'RecordsProcessed')!;
    expect(standIn.accepted[0]!.body.Namespace).toBe('Custom/KCL');
    expect(dims(datum)).toEqual({ Operation: 'ProcessTask', WorkerIdentifier: 'pod-7' });

    const noWorker = service({ dimensions: { workerIdentifier: false } });
    noWorker.incrRecordsProcessed(SHARD, 1);
    await noWorker.shutdown();
    const second = standIn.accepted[1]!.body.MetricData.find((d) => d.MetricName === 'RecordsProcessed')!;
    expect(dims(second)).toEqual({ Operation: 'ProcessTask', ShardId: SHARD });
  });

  it(`splits into requests of at most ${MAX_DATUMS_PER_REQUEST} data and ${MAX_VALUES_PER_DATUM} values per datum`, async () => {
    const s = service();
    for (let shard = 0; shard < 2_400; shard += 1) s.incrRecordsProcessed(`shardId-${shard}`, 1);
    for (let v = 0; v < 400; v += 1) s.millisBehindLatest(SHARD, v);
    await s.shutdown();
    expect(standIn.accepted.length).toBeGreaterThanOrEqual(3);
    for (const request of standIn.accepted) expect(request.body.MetricData.length).toBeLessThanOrEqual(MAX_DATUMS_PER_REQUEST);
    const records = allData(standIn).filter((d) => d.MetricName === 'RecordsProcessed');
    expect(records).toHaveLength(2_400);
    const lag = allData(standIn).filter((d) => d.MetricName === 'MillisBehindLatest');
    expect(lag.map((d) => d.Values!.length)).toEqual([150, 150, 100]);
    expect(lag.flatMap((d) => d.Values!).sort((a, b) => a - b)).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });

  it('keeps each request under the 1 MB payload limit', async () => {
    const s = service({ dimensions: { workerIdentifier: true }, workerIdentifier: 'w'.repeat(255) });
    // ~950 data of ~1.5 KB each: under the count limit, over the size limit.
    for (let shard = 0; shard < 950; shard += 1) {
      for (let v = 0; v < 60; v += 1) s.millisBehindLatest(`shardId-${String(shard).padStart(12, '0')}`, v * 1_000_003);
    }
    await s.shutdown();
    expect(standIn.accepted.length).toBeGreaterThan(1);
    for (const request of standIn.accepted) expect(request.bodyBytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    // The SDK gzips bodies above 10 KB; the stand-in decoded them.
    expect(standIn.accepted.every((r) => r.contentEncoding === 'gzip')).toBe(true);
    expect(allData(standIn).filter((d) => d.MetricName === 'MillisBehindLatest')).toHaveLength(950);
  });

  it('retries a 5xx through the SDK, and keeps a batch that still failed for the next flush', async () => {
    const logger = new ListLogger();
    const s = service({ client: client(2), clientConfig: undefined, logger } as never);
    try {
      standIn.failNext(1);
      s.incrRecordsProcessed(SHARD, 4);
      await s.flush();
      expect(standIn.failed).toBe(1);
      expect(total(allData(standIn).find((d) => d.MetricName === 'RecordsProcessed')!)).toBe(4);

      standIn.failNext(2); // both attempts of the next flush fail
      s.incrRecordsProcessed(SHARD, 6);
      await expect(s.flush()).resolves.toBeUndefined();
      expect(standIn.failed).toBe(3);
      expect(logger.warnings.map((w) => w.message)).toContain('PutMetricData failed; keeping the data for the next flush');
      expect(logger.warnings[0]!.fields!.code).toBe('InternalServiceFault');

      s.incrRecordsProcessed(SHARD, 1);
      await s.flush();
      const records = allData(standIn).filter((d) => d.MetricName === 'RecordsProcessed');
      expect(records.map(total).sort()).toEqual([1, 4, 6]);
    } finally {
      await s.shutdown();
    }
  });

  it('drops the oldest kept data beyond maxBufferedDatums', async () => {
    const logger = new ListLogger();
    const s = service({ client: client(1), clientConfig: undefined, logger, maxBufferedDatums: 5 } as never);
    standIn.failNext(1);
    for (let shard = 0; shard < 8; shard += 1) s.incrRecordsProcessed(`shardId-${shard}`, 1);
    await s.flush();
    expect(logger.warnings.some((w) => w.message === 'CloudWatch metric buffer full; dropping the oldest data')).toBe(true);
    await s.shutdown();
    // 9 data failed (8 shards + CurrentLeases); the 5 newest were kept: shards 4..7 and CurrentLeases.
    const records = allData(standIn).filter((d) => d.MetricName === 'RecordsProcessed');
    expect(records.map((d) => dims(d).ShardId)).toEqual(['shardId-4', 'shardId-5', 'shardId-6', 'shardId-7']);
  });

  it('flushes on its interval without an explicit flush', async () => {
    const s = service({ flushIntervalMillis: 1_000 });
    try {
      s.incrRecordsProcessed(SHARD, 2);
      const deadline = Date.now() + 5_000;
      while (standIn.accepted.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(allData(standIn).some((d) => d.MetricName === 'RecordsProcessed')).toBe(true);
    } finally {
      await s.shutdown();
    }
  });

  it('rejects invalid options with a ConfigError naming the option', () => {
    expect(() => new CloudWatchMonitoringService({ flushIntervalMillis: 10 })).toThrow(/flushIntervalMillis/);
    expect(() => new CloudWatchMonitoringService({ namespace: 'AWS/Kinesis' })).toThrow(ConfigError);
    expect(() => new CloudWatchMonitoringService({ output: 'stdout' as never })).toThrow(/output/);
    expect(() => new CloudWatchMonitoringService({ storageResolution: 5 as never })).toThrow(ConfigError);
    expect(() => new CloudWatchMonitoringService({ maxBufferedDatums: 0 })).toThrow(ConfigError);
  });
});

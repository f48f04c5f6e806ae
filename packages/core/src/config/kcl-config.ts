// STUB: replaced by the full implementation (validation, JSDoc, every go-kcl setter). Field names are binding.
import { InitialPositionInStream } from './initial-position';
import type { Logger } from '../logger/logger';
import type { MonitoringService } from '../metrics/monitoring-service';
import { NoopMonitoringService } from '../metrics/monitoring-service';
import { randomUUID } from 'node:crypto';

export interface KclCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export class KinesisClientLibConfig {
  applicationName: string;
  tableName: string;
  streamName: string;
  regionName: string;
  workerId: string;
  kinesisEndpoint: string | undefined;
  dynamoDBEndpoint: string | undefined;
  kinesisCredentials: KclCredentials | undefined;
  dynamoDBCredentials: KclCredentials | undefined;
  initialPositionInStream: InitialPositionInStream = InitialPositionInStream.LATEST;
  timestampAtInitialPositionInStream: Date | undefined;
  failoverTimeMillis = 10_000;
  leaseRefreshPeriodMillis = 5_000;
  maxRecords = 10_000;
  maxLeasesForWorker = 32_767;
  shardSyncIntervalMillis = 60_000;
  idleTimeBetweenReadsInMillis = 1_000;
  callProcessRecordsEvenForEmptyRecordList = false;
  taskBackoffTimeMillis = 500;
  maxRetryCount = 5;
  logger: Logger | undefined;
  monitoringService: MonitoringService = new NoopMonitoringService();
  enableEnhancedFanOutConsumer = false;
  enhancedFanOutConsumerName: string;
  enhancedFanOutConsumerARN: string | undefined;
  enableLeaseStealing = false;
  leaseStealingIntervalMillis = 5_000;
  leaseSyncingTimeIntervalMillis = 60_000;

  constructor(applicationName: string, streamName: string, regionName: string, workerId?: string) {
    this.applicationName = applicationName;
    this.tableName = applicationName;
    this.streamName = streamName;
    this.regionName = regionName;
    this.workerId = workerId || randomUUID();
    this.enhancedFanOutConsumerName = applicationName;
  }

  withTableName(tableName: string): this {
    this.tableName = tableName;
    return this;
  }
  withFailoverTimeMillis(ms: number): this {
    this.failoverTimeMillis = ms;
    return this;
  }
  withLeaseRefreshPeriodMillis(ms: number): this {
    this.leaseRefreshPeriodMillis = ms;
    return this;
  }
  withDynamoDBEndpoint(endpoint: string): this {
    this.dynamoDBEndpoint = endpoint;
    return this;
  }
  withKinesisEndpoint(endpoint: string): this {
    this.kinesisEndpoint = endpoint;
    return this;
  }
  withLogger(logger: Logger): this {
    this.logger = logger;
    return this;
  }
}

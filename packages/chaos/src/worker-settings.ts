/**
 * What the coordinator tells a worker process (JSON in the CHAOS_WORKER environment variable).
 */
import type { StoreTarget } from '@kcl/integration-tests';
import type { ScheduledFault } from './schedule';

/** Where the lease store is, as the workers reach it (through the fault proxies). */
export type StoreSpec = StoreTarget;

export interface WorkerTimings {
  failoverMillis: number;
  refreshMillis: number;
  shardSyncMillis: number;
  stealingIntervalMillis: number;
  idleMillis: number;
  maxRecords: number;
  taskBackoffMillis: number;
  shutdownGraceMillis: number;
  /** Lease-store call timeout (Redis command timeout; DynamoDB request timeout). */
  storeTimeoutMillis: number;
}

export interface WorkerSettings {
  workerId: string;
  /** Worker slot (0-based): which Kinesis fault windows apply. */
  slot: number;
  /** Incarnation number of this slot (0 for the first process, +1 per restart). */
  incarnation: number;
  applicationName: string;
  streamName: string;
  kinesisEndpoint: string;
  store: StoreSpec;
  timings: WorkerTimings;
  /** Log file this worker appends to (shared by the slot's incarnations). */
  logFile: string;
  /**
   * File the coordinator writes the producer's start time into (ms, same clock as the logs) once the producer
   * starts; fault window times are relative to it. No Kinesis faults before it exists.
   */
  t0File: string;
  seed: number;
  kinesisFaults: ScheduledFault[];
  processorThrowRate: number;
  midBatchCheckpointRate: number;
}

export const WORKER_SETTINGS_ENV = 'CHAOS_WORKER';

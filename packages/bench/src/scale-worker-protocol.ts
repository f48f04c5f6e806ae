/** What the coordinator of `pnpm bench:scale` and its worker processes exchange (JSON over IPC). */
import type { ScaleBackend } from './scale-args';

/** Everything a worker process needs, passed as one JSON argument. */
export interface ScaleWorkerSettings {
  workerId: string;
  applicationName: string;
  streamName: string;
  tableName: string;
  kinesisEndpoint: string;
  backend: ScaleBackend;
  /** host:port of redis-server (backend redis). */
  redisAddress?: string | undefined;
  /** http://127.0.0.1:port of dynalite (backend dynamodb). */
  dynamoEndpoint?: string | undefined;
  stealing: boolean;
  /** GetRecords through the SDK's send instead of core's lean path (`--sdk-get-records`). */
  sdkGetRecords?: boolean | undefined;
  /** How often the worker reports its lease count. */
  heartbeatMillis: number;
  /** Report every delivered batch's sequence numbers (off in engine-only mode: no records there). */
  reportDeliveries: boolean;
}

/** A worker process's figures since its previous snapshot (or since it started). */
export interface WorkerSnapshot {
  intervalMillis: number;
  /** Leases held (active) at the snapshot. */
  held: number;
  rssMb: number;
  /** Highest RSS sampled over the interval (every heartbeat, about 500 ms, and at the snapshot). */
  rssPeakMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  /** perf_hooks monitorEventLoopDelay (10 ms resolution) over the interval. */
  eventLoopDelayP99Millis: number;
  eventLoopDelayMaxMillis: number;
  /** process.cpuUsage (user + system) over wall time; 100 = one core busy. */
  cpuPercent: number;
  /** Kinesis calls per operation, counted by an SDK middleware on the worker's client. */
  kinesisCalls: Record<string, number>;
  /** Lease-store requests per operation: DynamoDB calls (SDK middleware) or Redis commands (RedisCheckpoint.commandCounts). */
  storeCalls?: Record<string, number> | undefined;
  storeFailures?: Record<string, number> | undefined;
  /** Sum of ConsumedCapacity.CapacityUnits returned (ReturnConsumedCapacity TOTAL is asked for), backend dynamodb. */
  consumedCapacityUnits?: number | undefined;
  answersWithCapacity?: number | undefined;
  /** The part of consumedCapacityUnits consumed by reads (backend dynamodb). */
  readCapacityUnits?: number | undefined;
  /** Worker 'error' events (lease-store or Kinesis calls that failed and were handled). */
  errors: number;
  leasesAcquired: number;
  leasesLost: number;
  firstError?: string | undefined;
  /**
   * The same figures over the steady part of the interval only: from the coordinator's `mark` message (sent once the
   * phase's fair share has held for a settle time) to this snapshot. Undefined when no mark came in the interval.
   */
  steady?: SteadyFigures | undefined;
}

/** A worker process's figures in the steady part of a phase (leases taken, consumers polling). */
export interface SteadyFigures {
  intervalMillis: number;
  /** perf_hooks monitorEventLoopDelay (10 ms resolution) since the mark. */
  eventLoopDelayP99Millis: number;
  eventLoopDelayMaxMillis: number;
  /** process.cpuUsage (user + system) over wall time since the mark; 100 = one core busy. */
  cpuPercent: number;
  /** RSS and heap used at the snapshot (the end of the steady part). */
  rssMb: number;
  heapUsedMb: number;
  /**
   * Highest RSS sampled in the steady part (every heartbeat, about 500 ms, and at the snapshot). V8's old generation
   * grows as a saw tooth between mark-sweeps, so RSS at one instant can be anywhere between its low and this peak.
   */
  rssPeakMb: number;
  /** Kinesis calls per operation since the mark. */
  kinesisCalls: Record<string, number>;
  /** Lease-store requests per command / operation since the mark, as the worker sent them (client side). */
  storeCalls: Record<string, number>;
  /** DynamoDB: read capacity units consumed since the mark (undefined for redis or when no answer carried any). */
  readCapacityUnits?: number | undefined;
}

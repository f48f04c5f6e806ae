import type { CloudWatchClient, CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import type { Logger } from '@kcl/core';

/** Where the metrics go: CloudWatch's PutMetricData API, or Embedded Metric Format lines on stdout. */
export type CloudWatchOutput = 'putMetricData' | 'emf';

/** Which optional dimensions are added (`Operation` is always present, as in the Java KCL). */
export interface CloudWatchDimensionOptions {
  /** Add `ShardId` to per-shard metrics. @defaultValue `true` */
  shardId?: boolean;
  /** Add `WorkerIdentifier` to every metric. @defaultValue `true` (the Java KCL 2.x default) */
  workerIdentifier?: boolean;
}

/** Options of {@link CloudWatchMonitoringService}. */
export interface CloudWatchMonitoringOptions {
  /**
   * CloudWatch namespace of every metric.
   * @defaultValue the application name (as the Java KCL)
   */
  namespace?: string;
  /**
   * `"putMetricData"`: buffered and sent with PutMetricData every `flushIntervalMillis`. `"emf"`: written as
   * CloudWatch Embedded Metric Format JSON lines to `emfWriter` (stdout) instead of API calls, for Lambda, ECS or the
   * CloudWatch agent to pick up from the logs.
   * @defaultValue `"putMetricData"`
   */
  output?: CloudWatchOutput;
  /** How often the buffer is flushed, in milliseconds (1000 .. 3600000). @defaultValue `10000` */
  flushIntervalMillis?: number;
  /**
   * A configured CloudWatch client to use (putMetricData output). It is not destroyed on shutdown.
   * @defaultValue a client created from `clientConfig` and `region`, destroyed on shutdown
   */
  client?: CloudWatchClient;
  /** Configuration of the client created when `client` is not given (endpoint, credentials, retries...). @defaultValue `{}` */
  clientConfig?: CloudWatchClientConfig;
  /** AWS region of the created client. @defaultValue `clientConfig.region`, else the SDK's default chain (AWS_REGION...) */
  region?: string;
  /** Which optional dimensions to send. @defaultValue `{ shardId: true, workerIdentifier: true }` */
  dimensions?: CloudWatchDimensionOptions;
  /**
   * Value of the `WorkerIdentifier` dimension. Set a stable name when the worker id is a random UUID, or each
   * restart creates new metrics.
   * @defaultValue the config's worker id
   */
  workerIdentifier?: string;
  /**
   * Most metric data kept while CloudWatch cannot be reached (failed batches are kept for the next flush); the oldest
   * are dropped beyond it, with a warning.
   * @defaultValue `10000`
   */
  maxBufferedDatums?: number;
  /** CloudWatch storage resolution in seconds: 60 (standard) or 1 (high resolution, costs more). @defaultValue `60` */
  storageResolution?: 1 | 60;
  /** Receives one EMF JSON document per call (emf output). @defaultValue a line on `process.stdout` */
  emfWriter?: (line: string) => void;
  /** Logger for failed flushes and dropped data. @defaultValue none (silent) */
  logger?: Logger;
}

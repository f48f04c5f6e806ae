export { CloudWatchMonitoringService } from './cloudwatch-monitoring-service';
export type { CloudWatchMonitoringOptions, CloudWatchOutput, CloudWatchDimensionOptions } from './options';
export { CLOUDWATCH_METRICS } from './metric-names';
export type { MetricDefinition, CloudWatchMetricKey } from './metric-names';
export { MAX_DATUMS_PER_REQUEST, MAX_REQUEST_BYTES } from './batches';
export { MAX_VALUES_PER_DATUM } from './metric-buffer';

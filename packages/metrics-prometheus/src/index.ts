export { PrometheusMonitoringService } from './prometheus-monitoring-service';
export type { PrometheusMonitoringOptions } from './options';
export { METRIC_NAMES } from './metric-set';

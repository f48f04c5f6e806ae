export { OpenTelemetryMonitoringService } from './opentelemetry-monitoring-service';
export type { OpenTelemetryMonitoringOptions } from './options';
export { INSTRUMENT_NAMES } from './instrument-names';

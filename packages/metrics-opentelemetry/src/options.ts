import type { Attributes, Meter } from '@opentelemetry/api';

/** Options of {@link OpenTelemetryMonitoringService}. */
export interface OpenTelemetryMonitoringOptions {
  /**
   * The Meter the instruments are created from (e.g. `meterProvider.getMeter('my-app')`).
   * @defaultValue `metrics.getMeter('@kcl/metrics-opentelemetry')` from the global MeterProvider of `@opentelemetry/api`
   */
  meter?: Meter;
  /**
   * Value of the `worker` attribute. Set a stable name when the worker id is a random UUID.
   * @defaultValue the config's worker id
   */
  workerLabel?: string;
  /** Extra attributes added to every measurement (e.g. `{ region: 'us-east-1' }`). @defaultValue `{}` */
  attributes?: Attributes;
}

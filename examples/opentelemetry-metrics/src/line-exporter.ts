// A small PushMetricExporter that prints one line per export with the totals of the @kcl instruments, so the example
// shows its metrics without a collector. A real application exports with OTLP (@opentelemetry/exporter-metrics-otlp-*)
// or the Prometheus exporter instead.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

export class LineMetricExporter implements PushMetricExporter {
  constructor(private readonly print: (line: string) => void = console.log) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    const parts: string[] = [];
    for (const scope of metrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (!metric.descriptor.name.startsWith('kcl.')) continue;
        let sum = 0;
        for (const point of metric.dataPoints) {
          sum += metric.dataPointType === DataPointType.HISTOGRAM ? (point.value as { count: number }).count : (point.value as number);
        }
        parts.push(`${metric.descriptor.name}=${sum}`);
      }
    }
    if (parts.length > 0) this.print(`otel export: ${parts.join(' ')}`);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

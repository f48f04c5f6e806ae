import type { MetricDatum } from '@aws-sdk/client-cloudwatch';

/** Embedded Metric Format limits: metrics per document and values per metric array. */
export const EMF_MAX_METRICS = 100;
export const EMF_MAX_VALUES = 100;

interface EmfMetric {
  name: string;
  unit: string | undefined;
  values: number[];
}

interface EmfGroup {
  dimensions: Record<string, string>;
  storageResolution: number | undefined;
  metrics: Map<string, EmfMetric>;
}

/**
 * Turns metric data into CloudWatch Embedded Metric Format documents (one JSON object each): data with the same
 * dimensions share a document; a document holds at most {@link EMF_MAX_METRICS} metrics of at most
 * {@link EMF_MAX_VALUES} values each (Values/Counts are expanded, so more samples make more documents).
 */
export function toEmfDocuments(data: MetricDatum[], namespace: string, timestamp: Date): string[] {
  const groups = new Map<string, EmfGroup>();
  for (const datum of data) {
    const dimensions = Object.fromEntries((datum.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));
    const key = `${JSON.stringify(dimensions)}|${datum.StorageResolution ?? ''}`;
    let group = groups.get(key);
    if (!group) {
      group = { dimensions, storageResolution: datum.StorageResolution, metrics: new Map() };
      groups.set(key, group);
    }
    const name = datum.MetricName ?? '';
    let metric = group.metrics.get(name);
    if (!metric) {
      metric = { name, unit: datum.Unit, values: [] };
      group.metrics.set(name, metric);
    }
    if (datum.Value !== undefined) metric.values.push(datum.Value);
    (datum.Values ?? []).forEach((value, i) => {
      const count = datum.Counts?.[i] ?? 1;
      for (let n = 0; n < count; n += 1) metric.values.push(value);
    });
  }

  const documents: string[] = [];
  for (const group of groups.values()) {
    const pending = [...group.metrics.values()].filter((m) => m.values.length > 0);
    let offset = 0;
    while (pending.some((m) => m.values.length > offset)) {
      const present = pending.filter((m) => m.values.length > offset);
      for (let i = 0; i < present.length; i += EMF_MAX_METRICS) {
        const metrics = present.slice(i, i + EMF_MAX_METRICS);
        const document: Record<string, unknown> = {
          _aws: {
            Timestamp: timestamp.getTime(),
            CloudWatchMetrics: [
              {
                Namespace: namespace,
                Dimensions: [Object.keys(group.dimensions)],
                Metrics: metrics.map((m) => ({
                  Name: m.name,
                  ...(m.unit === undefined ? {} : { Unit: m.unit }),
                  ...(group.storageResolution === undefined ? {} : { StorageResolution: group.storageResolution }),
                })),
              },
            ],
          },
          ...group.dimensions,
        };
        for (const m of metrics) {
          const values = m.values.slice(offset, offset + EMF_MAX_VALUES);
          document[m.name] = values.length === 1 ? values[0] : values;
        }
        documents.push(JSON.stringify(document));
      }
      offset += EMF_MAX_VALUES;
    }
  }
  return documents;
}

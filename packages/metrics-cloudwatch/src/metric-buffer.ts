import type { Dimension, MetricDatum, StandardUnit } from '@aws-sdk/client-cloudwatch';

/** Most distinct values in one Values/Counts pair of a PutMetricData datum. */
export const MAX_VALUES_PER_DATUM = 150;

/** One buffered series: a metric name with its dimensions and unit, and how often each value was seen. */
interface Series {
  name: string;
  unit: StandardUnit;
  dimensions: Dimension[];
  counts: Map<number, number>;
}

/**
 * Collects samples between flushes, aggregated per series (metric name + dimensions) as value -> count, the shape of
 * PutMetricData's Values/Counts: ten thousand `RenewLease.Success = 1` samples cost one value.
 */
export class MetricBuffer {
  private series = new Map<string, Series>();

  add(name: string, unit: StandardUnit, dimensions: Dimension[], value: number): void {
    if (!Number.isFinite(value)) return;
    const key = `${name}\u0000${dimensions.map((d) => `${d.Name ?? ''}=${d.Value ?? ''}`).join('\u0000')}`;
    let series = this.series.get(key);
    if (!series) {
      series = { name, unit, dimensions, counts: new Map() };
      this.series.set(key, series);
    }
    series.counts.set(value, (series.counts.get(value) ?? 0) + 1);
  }

  /** Number of buffered series. */
  get size(): number {
    return this.series.size;
  }

  /**
   * Empties the buffer into metric data stamped `timestamp`: a single sample as `Value`, otherwise `Values`/`Counts`
   * pairs of at most {@link MAX_VALUES_PER_DATUM} distinct values (a series with more becomes several data).
   */
  drain(timestamp: Date, storageResolution: number): MetricDatum[] {
    const data: MetricDatum[] = [];
    for (const series of this.series.values()) {
      const entries = [...series.counts];
      const base = {
        MetricName: series.name,
        Dimensions: series.dimensions,
        Unit: series.unit,
        Timestamp: timestamp,
        ...(storageResolution === 60 ? {} : { StorageResolution: storageResolution }),
      };
      const only = entries[0];
      if (entries.length === 1 && only !== undefined && only[1] === 1) {
        data.push({ ...base, Value: only[0] });
        continue;
      }
      for (let i = 0; i < entries.length; i += MAX_VALUES_PER_DATUM) {
        const chunk = entries.slice(i, i + MAX_VALUES_PER_DATUM);
        data.push({ ...base, Values: chunk.map(([value]) => value), Counts: chunk.map(([, count]) => count) });
      }
    }
    this.series = new Map();
    return data;
  }
}

import type { MetricDatum } from '@aws-sdk/client-cloudwatch';

/** PutMetricData limits: at most 1000 metric data per call and a request of at most 1 MB. */
export const MAX_DATUMS_PER_REQUEST = 1000;
export const MAX_REQUEST_BYTES = 1_000_000;

/** Room kept for the request envelope (namespace, JSON syntax, HTTP headers are outside it). */
const ENVELOPE_BYTES = 1_024;

/**
 * Splits `data` into PutMetricData batches of at most {@link MAX_DATUMS_PER_REQUEST} data and, by a conservative
 * estimate (each datum's JSON with an ISO timestamp, longer than the epoch seconds the SDK sends), at most
 * `maxBytes` of request body.
 */
export function toBatches(data: MetricDatum[], namespace: string, maxBytes = MAX_REQUEST_BYTES): MetricDatum[][] {
  const batches: MetricDatum[][] = [];
  const budget = maxBytes - ENVELOPE_BYTES - Buffer.byteLength(namespace);
  let current: MetricDatum[] = [];
  let bytes = 0;
  for (const datum of data) {
    const size = Buffer.byteLength(JSON.stringify(datum)) + 1;
    if (current.length > 0 && (current.length >= MAX_DATUMS_PER_REQUEST || bytes + size > budget)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(datum);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

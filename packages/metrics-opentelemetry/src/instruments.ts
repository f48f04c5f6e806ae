import type { Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api';
import { INSTRUMENT_NAMES as N } from './instrument-names';

/** The instruments of one monitoring service. */
export interface Instruments {
  recordsProcessed: Counter;
  bytesProcessed: Counter;
  leaseRenewals: Counter;
  processRecordsErrors: Counter;
  processorStuck: Counter;
  skippedRecords: Counter;
  checkpointFailures: Counter;
  leaseStoreErrors: Counter;
  getRecordsDuration: Histogram;
  processRecordsDuration: Histogram;
  checkpointDuration: Histogram;
  leaseStoreCallDuration: Histogram;
  millisBehindLatest: ObservableGauge;
  leasesHeld: ObservableGauge;
  leaseStoreHealthy: ObservableGauge;
}

/** Creates every instrument from `meter`. */
export function createInstruments(meter: Meter): Instruments {
  const ms = (name: string, description: string) => meter.createHistogram(name, { description, unit: 'ms' });
  return {
    recordsProcessed: meter.createCounter(N.recordsProcessed, { description: 'Records delivered to record processors', unit: '{record}' }),
    bytesProcessed: meter.createCounter(N.bytesProcessed, { description: 'Payload bytes delivered to record processors', unit: 'By' }),
    leaseRenewals: meter.createCounter(N.leaseRenewals, { description: 'Successful lease renewals', unit: '{renewal}' }),
    processRecordsErrors: meter.createCounter(N.processRecordsErrors, { description: 'processRecords calls that threw (the batch is retried)' }),
    processorStuck: meter.createCounter(N.processorStuck, {
      description: 'Reports of a processor call running longer than logWarningForTaskAfterMillis',
    }),
    skippedRecords: meter.createCounter(N.skippedRecords, { description: 'Records skipped by the skip processor failure policy', unit: '{record}' }),
    checkpointFailures: meter.createCounter(N.checkpointFailures, { description: 'Failed checkpoint writes, by error code' }),
    leaseStoreErrors: meter.createCounter(N.leaseStoreErrors, {
      description: 'Lease-store calls that failed because of the store (unreachable, timeout, 5xx), by operation and error code',
    }),
    getRecordsDuration: ms(N.getRecordsDuration, 'Duration of GetRecords calls'),
    processRecordsDuration: ms(N.processRecordsDuration, 'Duration of processRecords calls'),
    checkpointDuration: ms(N.checkpointDuration, 'Duration of checkpoint writes to the lease store'),
    leaseStoreCallDuration: ms(N.leaseStoreCallDuration, 'Duration of lease-store calls, by operation'),
    millisBehindLatest: meter.createObservableGauge(N.millisBehindLatest, {
      description: 'MillisBehindLatest of the last GetRecords response per held shard',
      unit: 'ms',
    }),
    leasesHeld: meter.createObservableGauge(N.leasesHeld, { description: 'Leases held by the worker', unit: '{lease}' }),
    leaseStoreHealthy: meter.createObservableGauge(N.leaseStoreHealthy, {
      description: '1 while the last lease-store call reached the store, 0 after a store failure',
    }),
  };
}

// @kcl/integration-tests (private): helpers of the end-to-end tests in test/. Nothing here is published.
export * from './cleanup';
export * from './delivery-log';
export * from './go-kcl-leases';
export * from './kinesis-bed';
export * from './lease-stores';
export * from './store-client';
export { Producer, type ProducedRecord } from '@kcl/testbed';
export * from './recording-processor';
export * from './worker-config';
export * from './test-worker';
export * from './log-tap';

/**
 * `@kcl/core/testing`: test helpers for applications and lease-store backends. Not needed at run time.
 * - {@link InMemoryCheckpointer} / {@link InMemoryLeaseTable}: an in-process reference lease store with fault hooks.
 * - {@link runCheckpointerConformance}: the conformance suite every Checkpointer backend must pass.
 * - {@link RecordingMonitoringService}: a MonitoringService that records every metric call.
 */
export { InMemoryLeaseTable } from './in-memory-lease-table';
export type { CheckpointerOperation, FailNextOptions, InMemoryCoordinationState } from './in-memory-lease-table';
export { InMemoryCheckpointer } from './in-memory-checkpointer';
export type { InMemoryCheckpointerOptions } from './in-memory-checkpointer';
export { runCheckpointerConformance, CHECKPOINTER_CONFORMANCE_CASES } from './checkpointer-conformance';
export type { CheckpointerConformanceOptions } from './checkpointer-conformance';
export type { CreateCheckpointerArgs } from './conformance-harness';
export type { ConformanceTestApi, ConformanceTestFn } from './conformance-test-api';
export { RecordingMonitoringService } from './recording-monitoring-service';
export type { MonitoringCall, MonitoringMetric } from './recording-monitoring-service';

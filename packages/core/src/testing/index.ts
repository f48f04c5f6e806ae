/**
 * `@kcl/core/testing`: test helpers for applications and lease-store backends. Not needed at run time.
 * - {@link InMemoryCheckpointer} / {@link InMemoryLeaseTable}: an in-process reference lease store with fault hooks.
 */
export { InMemoryLeaseTable } from './in-memory-lease-table';
export type { CheckpointerOperation, FailNextOptions } from './in-memory-lease-table';
export { InMemoryCheckpointer } from './in-memory-checkpointer';
export type { InMemoryCheckpointerOptions } from './in-memory-checkpointer';

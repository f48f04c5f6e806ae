/** The end-to-end tests' delivery log: @kcl/testbed's, with core's ShutdownReason as the shutdown reason. */
import type { ShutdownReason } from '@kcl/core';
import { DeliveryLog as TestbedDeliveryLog, type ShutdownEntry as TestbedShutdownEntry } from '@kcl/testbed';

export { describeOverlaps, type DeliveredRecord, type DeliveryBatch, type Overlap } from '@kcl/testbed';

export type ShutdownEntry = TestbedShutdownEntry<ShutdownReason>;

export class DeliveryLog extends TestbedDeliveryLog<ShutdownReason> {}

/** Builds workers wired to the test bed, a lease store and a shared delivery log, and records their events. */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { Worker, type Checkpointer, type KinesisClientLibConfig, type WorkerEvents } from '@kcl/core';
import type { DeliveryLog } from './delivery-log';
import type { KinesisBed } from './kinesis-bed';
import type { LeaseStoreServer, StoreAddress, StoreNamespace } from './lease-stores';
import { recordingProcessorFactory, type RecordingProcessorOptions } from './recording-processor';
import { testConfig, type TestConfigOptions } from './worker-config';

export interface WorkerEventEntry {
  at: number;
  workerId: string;
  name: keyof WorkerEvents;
  shardId: string | undefined;
  payload: unknown;
}

/** Every event of the workers attached to it, with its monotonic time. */
export class WorkerEventLog {
  readonly entries: WorkerEventEntry[] = [];

  attach(worker: Worker): void {
    const names: Array<keyof WorkerEvents> = ['leaseAcquired', 'leaseLost', 'shardEnded', 'processorError', 'error', 'shutdown'];
    for (const name of names) {
      worker.on(name, (payload) => {
        const shardId = (payload as { shardId?: string }).shardId;
        this.entries.push({ at: performance.now(), workerId: worker.workerId, name, shardId, payload });
      });
    }
  }

  of<K extends keyof WorkerEvents>(
    name: K,
    filter: { workerId?: string; shardId?: string } = {},
  ): Array<WorkerEvents[K] & { at: number; workerId: string }> {
    return this.entries
      .filter(
        (e) =>
          e.name === name &&
          (filter.workerId === undefined || e.workerId === filter.workerId) &&
          (filter.shardId === undefined || e.shardId === filter.shardId),
      )
      .map((e) => ({ ...(e.payload as WorkerEvents[K]), at: e.at, workerId: e.workerId }));
  }
}

export interface TestWorkerOptions {
  workerId: string;
  streamName: string;
  bed: KinesisBed;
  store: LeaseStoreServer;
  namespace: StoreNamespace;
  log: DeliveryLog;
  events?: WorkerEventLog;
  /** Reach the store through this address (a proxy) instead of directly. */
  via?: StoreAddress;
  /** Use this Kinesis client (e.g. with fault middleware) instead of a fresh one. */
  kinesis?: KinesisClient;
  config?: Partial<Omit<TestConfigOptions, 'streamName' | 'workerId'>>;
  processor?: Omit<RecordingProcessorOptions, 'workerId' | 'log'>;
}

export interface TestWorker {
  worker: Worker;
  config: KinesisClientLibConfig;
  checkpointer: Checkpointer;
}

/** A Worker with a recording processor, its own Kinesis client and checkpointer (closed by the store's cleanup). */
export function createTestWorker(options: TestWorkerOptions): TestWorker {
  const config = testConfig({ ...options.config, streamName: options.streamName, workerId: options.workerId });
  const checkpointer = options.store.checkpointer(config, options.namespace, options.via);
  const factory = recordingProcessorFactory({ ...options.processor, workerId: options.workerId, log: options.log });
  const worker = new Worker(factory, config).withKinesis(options.kinesis ?? options.bed.newClient()).withCheckpointer(checkpointer);
  options.events?.attach(worker);
  return { worker, config, checkpointer };
}
